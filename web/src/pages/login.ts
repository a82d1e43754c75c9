// The login page, Horizon's: user name, password, domain and project, sent to ulm-api, which asks
// Keystone; with auth_strategy = noauth it says that no login is needed and lets the user in.

import { ApiFailure, describeFailure, get, post } from '../api/client.js';
import type { Issue, LoginSession } from '../api/records.js';
import { element, uniqueId } from '../dom.js';
import { keepKeystoneSession, keepNoauthSession, takeLoginNotice } from '../session.js';
import type { Page, PageContext } from './page.js';

interface FieldControl {
  input: HTMLInputElement;
  error: HTMLElement;
  group: HTMLElement;
}

function field(label: string, name: string, type: string, value = '', autocomplete = 'off'): FieldControl {
  const id = `login-${name}`;
  const input = element('input', { className: 'form-control', id, attributes: { type, name, autocomplete, required: true, 'aria-describedby': `${id}-error` } });
  input.value = value;
  const error = element('div', { className: 'field-error', id: `${id}-error`, attributes: { hidden: true } });
  const group = element('div', { className: 'form-group' }, element('label', { text: label, attributes: { for: id } }), input, error);
  return { input, error, group };
}

export function loginPage(context: PageContext): Page {
  document.title = 'Login - ulm';
  const next = context.query.get('next') ?? '/overview';
  const notice = takeLoginNotice();
  const headingId = uniqueId('login-heading');
  const body = element('div', { className: 'login-body' }, element('p', { text: 'Asking ulm-api how to log in…' }));
  const box = element('section', { className: 'login-box', attributes: { 'aria-labelledby': headingId } },
    element('div', { className: 'login-brand' }, element('span', { className: 'brand-mark', text: 'ulm' }), ' live migration'),
    element('h1', { id: headingId, text: 'Log in' }),
    notice ? element('div', { className: 'alert alert-info', text: notice, attributes: { role: 'status' } }) : null,
    body,
  );
  const page = element('div', { className: 'login-page' }, box);

  get<{ auth_strategy: 'keystone' | 'noauth' }>('v1/auth', { unauthorizedIsAnswer: true }).then((answer) => {
    if (answer.auth_strategy === 'noauth') showNoauth();
    else showKeystoneForm();
  }, (error: unknown) => {
    body.replaceChildren(element('div', { className: 'alert alert-error', attributes: { role: 'alert' } },
      error instanceof ApiFailure && error.status === 404
        ? 'This ulm-api offers no login (GET /v1/auth is missing): it cannot serve the panel with Keystone login.'
        : `Cannot reach ulm-api: ${describeFailure(error)}`));
  });

  function showNoauth(): void {
    const enter = element('button', { className: 'btn btn-primary', text: 'Enter the panel', attributes: { type: 'button' } });
    enter.addEventListener('click', () => {
      keepNoauthSession();
      context.navigate(next);
    });
    body.replaceChildren(
      element('div', { className: 'alert alert-warning', attributes: { role: 'status' } },
        element('strong', { text: 'No login needed. ' }),
        'This ulm-api runs with [api] auth_strategy = noauth: it asks for no token and every caller is admin. For local development only, never a cloud.'),
      enter,
    );
    enter.focus();
  }

  function showKeystoneForm(): void {
    const user = field('User Name', 'username', 'text', '', 'username');
    const password = field('Password', 'password', 'password', '', 'current-password');
    const domain = field('Domain', 'domain', 'text', 'Default');
    const project = field('Project', 'project_name', 'text');
    // A system reader or admin has its role on the system, not on a project (Keystone's --os-system-scope all).
    const systemScope = element('input', { attributes: { type: 'checkbox', id: 'login-system-scope', name: 'system_scope' } });
    const systemScopeGroup = element('div', { className: 'form-group checkbox' },
      element('label', { attributes: { for: 'login-system-scope' } }, systemScope, ' System scope (a system reader or admin: no project)'));
    systemScope.addEventListener('change', () => {
      project.input.disabled = systemScope.checked;
      if (systemScope.checked) showFieldError(project, null);
    });
    const formError = element('div', { className: 'alert alert-error', attributes: { role: 'alert', hidden: true } });
    const submit = element('button', { className: 'btn btn-primary', text: 'Sign In', attributes: { type: 'submit' } });
    const form = element('form', { className: 'login-form', attributes: { novalidate: true } },
      element('p', { className: 'help-block', text: 'Your OpenStack (Keystone) credentials: ulm-api asks Keystone for a token scoped to the project, or to the system.' }),
      formError, user.group, password.group, domain.group, project.group, systemScopeGroup,
      element('div', { className: 'form-actions' }, submit));
    const fields: Record<string, FieldControl> = { username: user, password, user_domain_name: domain, project_domain_name: domain, project_name: project };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      for (const control of Object.values(fields)) showFieldError(control, null);
      formError.hidden = true;
      const required = systemScope.checked ? { username: user, password } : { username: user, password, project_name: project };
      const missing = Object.entries(required).filter(([, control]) => control.input.value === '');
      if (missing.length) {
        for (const [, control] of missing) showFieldError(control, 'This field is required.');
        missing[0][1].input.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = 'Signing in…';
      const domainName = domain.input.value.trim() || 'Default';
      post<LoginSession>('v1/auth/login', {
        username: user.input.value.trim(),
        password: password.input.value,
        ...(systemScope.checked ? { system_scope: 'all' } : { project_name: project.input.value.trim(), project_domain_name: domainName }),
        user_domain_name: domainName,
      }, { unauthorizedIsAnswer: true }).then((session) => {
        keepKeystoneSession(session);
        context.navigate(next);
      }, (error: unknown) => {
        password.input.value = '';
        const issues: Issue[] = error instanceof ApiFailure ? error.issues : [];
        const unplaced = issues.filter((issue) => {
          const control = fields[issue.path];
          if (control) showFieldError(control, issue.message);
          return !control;
        });
        if (!issues.length || unplaced.length) {
          formError.textContent = error instanceof ApiFailure && error.status === 401
            ? 'Invalid credentials: check the user name, password, domain and project.'
            : describeFailure(error);
          formError.hidden = false;
        }
        (issues.length ? fields[issues[0].path]?.input : password.input)?.focus();
      }).finally(() => {
        submit.disabled = false;
        submit.textContent = 'Sign In';
      });
    });
    body.replaceChildren(form);
    user.input.focus();
  }

  return { element: page };
}

function showFieldError(control: FieldControl, message: string | null): void {
  control.error.textContent = message ?? '';
  control.error.hidden = message === null;
  control.group.classList.toggle('has-error', message !== null);
  if (message === null) control.input.removeAttribute('aria-invalid');
  else control.input.setAttribute('aria-invalid', 'true');
}
