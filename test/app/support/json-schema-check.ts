/**
 * The ways `value` departs from a generated JSON Schema, as paths and reasons; empty when it
 * conforms. Covers the keywords `z.toJSONSchema` writes for the checked-in contracts (type, const,
 * anyOf, properties, required, additionalProperties, items, min/max, minLength, minItems,
 * pattern), so a test can hold a message to the very file a consumer reads, without a validator
 * dependency. An unknown keyword is reported, never silently passed.
 */
export function schemaViolations(value: unknown, schema: Record<string, unknown>, path = "$"): string[] {
  const known = new Set([
    "$schema", "title", "description", "format", "type", "const", "anyOf", "properties", "required",
    "additionalProperties", "items", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern",
  ]);
  const unknown = Object.keys(schema).filter((k) => !known.has(k));
  if (unknown.length > 0) return [`${path}: the checker does not know ${unknown.join(", ")}`];
  if (Array.isArray(schema.anyOf)) {
    const options = schema.anyOf as Record<string, unknown>[];
    return options.some((option) => schemaViolations(value, option, path).length === 0) ? [] : [`${path}: matches no anyOf branch`];
  }
  if ("const" in schema && value !== schema.const) return [`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`];
  const types = schema.type === undefined ? undefined : ([] as string[]).concat(schema.type as string | string[]);
  if (types !== undefined && !types.some((t) => hasType(value, t))) return [`${path}: ${JSON.stringify(value)} is not of type ${types.join(" | ")}`];
  const problems: string[] = [];
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength) problems.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) problems.push(`${path}: longer than ${schema.maxLength}`);
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern).test(value)) problems.push(`${path}: does not match ${schema.pattern}`);
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) problems.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) problems.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) problems.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) problems.push(`${path}: more than ${schema.maxItems} items`);
    const items = schema.items as Record<string, unknown> | undefined;
    if (items) value.forEach((item, i) => problems.push(...schemaViolations(item, items, `${path}[${i}]`)));
  }
  if (types?.includes("object") && typeof value === "object" && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const key of (schema.required ?? []) as string[]) if (!Object.hasOwn(record, key)) problems.push(`${path}.${key}: required`);
    for (const [key, child] of Object.entries(record)) {
      const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (property) problems.push(...schemaViolations(child, property, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}.${key}: not allowed`);
    }
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "integer":
      return Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}
