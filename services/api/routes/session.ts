// /v1/auth: the panel's session, Horizon style. GET /v1/auth says how callers authenticate (the
// login page shows a form, or says that noauth lets everyone in); POST /v1/auth/login trades
// Keystone credentials for a token scoped to a project or the system; POST /v1/auth/logout revokes it. All public:
// they are how a caller gets a token in the first place.
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../../core/validation.js';
import type { PasswordLogin } from '../auth/keystone-login.js';
import { AuthenticationRequired } from '../errors.js';
import { defineRoute, noContent, ok, type ApiRoute } from '../route.js';
import { LoginSessionSchema, Name } from '../schemas.js';

/** What the session routes work with; null (the route table without an app, tests' token doubles): no session routes. */
export type SessionSupport =
  | { strategy: 'keystone'; login: PasswordLogin; wwwAuthenticateUri: string }
  | { strategy: 'noauth' };

/** Longer than any password policy asks for, short enough that nobody sends a file. */
const MAX_PASSWORD_LENGTH = 4096;

const AuthStrategySchema = Type.Object({
  auth_strategy: Type.Union([Type.Literal('keystone'), Type.Literal('noauth')], { description: 'keystone: log in (POST /v1/auth/login) and send the token as X-Auth-Token; noauth: no token needed, every caller is admin (development only)' }),
});

const LoginRequestSchema = Type.Object({
  username: Name('the Keystone user name'),
  // Checked in the handler, not by the schema: a schema failure quotes the value it refused,
  // and that message is answered and logged. The password must never appear in either.
  // Optional here so that the handler names every missing field at once, the scope included.
  password: Type.Optional(Type.Any({ type: 'string', expected: 'a string (the user\'s password)', description: 'the user\'s password (required); never logged' })),
  project_name: Type.Optional(Name('the project to scope the token to (or system_scope)')),
  system_scope: Type.Optional(Type.Literal('all', { description: 'scope the token to the system instead of a project, for a system reader or admin' })),
  user_domain_name: Type.Optional(Name('the user\'s domain (default "Default")')),
  project_domain_name: Type.Optional(Name('the project\'s domain (default "Default")')),
}, { additionalProperties: false });

export function sessionRoutes(session: SessionSupport | null): ApiRoute[] {
  if (!session) return [];
  const strategy = defineRoute({
    method: 'GET', path: '/v1/auth', operationId: 'showAuthStrategy', tag: 'auth', rule: null,
    summary: 'How callers authenticate (keystone or noauth)',
    responses: { 200: { description: 'the strategy', schema: AuthStrategySchema } },
    handler: async () => ok({ auth_strategy: session.strategy }),
  });
  if (session.strategy === 'noauth') return [strategy];
  const challenge = `Keystone uri="${session.wwwAuthenticateUri}"`;
  return [
    strategy,
    defineRoute({
      method: 'POST', path: '/v1/auth/login', operationId: 'logIn', tag: 'auth', rule: null,
      summary: 'Log in with Keystone credentials: a token scoped to a project (or the system) for X-Auth-Token',
      description: 'ulm-api asks Keystone for the token (password method), as Horizon does; the password is neither stored nor logged. Wrong credentials, or a project the user has no role on, answer 401.',
      body: LoginRequestSchema,
      responses: { 200: { description: 'the session', schema: LoginSessionSchema } },
      handler: async ({ body, request }) => {
        const password: unknown = body.password;
        const issues = [];
        if (typeof password !== 'string' || password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
          issues.push({ path: 'password', message: `is required: expected a non-empty string of at most ${MAX_PASSWORD_LENGTH} characters` });
        }
        if ((body.project_name === undefined) === (body.system_scope === undefined)) {
          issues.push(body.system_scope
            ? { path: 'system_scope', message: 'give either project_name or system_scope, not both' }
            : { path: 'project_name', message: 'is required: the project to scope the token to, or system_scope "all" for a system reader or admin' });
        }
        if (issues.length || typeof password !== 'string') throw new ValidationError('invalid login', issues);
        const found = await session.login.login({ ...body, password }, { requestId: request.id });
        if (!found) {
          // Like Horizon, the answer does not say which part was wrong.
          throw new AuthenticationRequired('Keystone did not accept these credentials: check the user name, password, domain and project (the user needs a role on the project)', challenge);
        }
        request.log.info({ user_id: found.user.id, project_id: found.project?.id ?? null, system_scope: found.system_scope ?? null, roles: found.roles }, 'logged in');
        return { status: 200, body: found, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'POST', path: '/v1/auth/logout', operationId: 'logOut', tag: 'auth', rule: null,
      summary: 'Log out: revoke the X-Auth-Token in Keystone',
      description: 'Without a token there is nothing to revoke, and the answer is the same 204.',
      body: Type.Object({}, { additionalProperties: false, description: 'no options: send {} or nothing' }),
      bodyOptional: true,
      responses: { 204: { description: 'logged out' } },
      handler: async ({ request }) => {
        const token = request.headers['x-auth-token'];
        if (typeof token === 'string' && token !== '') await session.login.logout(token, { requestId: request.id });
        return noContent();
      },
    }),
  ];
}
