// The JSON Schemas the API validates with, read from /v1/openapi.json: the policy and window
// forms are generated from them, so the panel asks for exactly what the API accepts.

import { get } from './client.js';

/** The subset of JSON Schema the API's TypeBox schemas use. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
  $ref?: string;
  description?: string;
  hint?: string;
  expected?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
}

interface OpenApiDocument {
  components: { schemas: Record<string, JsonSchema> };
}

let loading: Promise<OpenApiDocument> | null = null;

function document(): Promise<OpenApiDocument> {
  loading ??= get<OpenApiDocument>('v1/openapi.json').catch((error: unknown) => {
    loading = null; // try again next time
    throw error;
  });
  return loading;
}

/** A named schema of the document (`Policy`, `PowerSavingWindow`, `ExemptionRequest`) and a $ref resolver. */
export async function namedSchema(name: string): Promise<{ schema: JsonSchema; resolve: (schema: JsonSchema) => JsonSchema }> {
  const schemas = (await document()).components.schemas;
  const schema = schemas[name];
  if (!schema) throw new Error(`/v1/openapi.json has no schema named ${name}`);
  const resolve = (candidate: JsonSchema): JsonSchema => {
    if (!candidate.$ref) return candidate;
    const target = schemas[candidate.$ref.replace('#/components/schemas/', '')];
    if (!target) throw new Error(`/v1/openapi.json: ${candidate.$ref} does not resolve`);
    return resolve(target);
  };
  return { schema, resolve };
}
