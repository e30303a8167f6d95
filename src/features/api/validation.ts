// Turns Fastify's schema validation errors and the register's form-shaped field names into the
// API's one error shape: 400 { error: 'invalid', errors: [{ field, message }] }, with fields named
// as the JSON names them ("needs[0].need"), never as a web form does ("needs-1-need").
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import { censusProblems } from '../register/census.ts';

interface SchemaProblem {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

function fieldPath(instancePath: string, extra?: string): string {
  const segments = instancePath.split('/').filter(Boolean);
  if (extra) segments.push(extra);
  return segments
    .map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function describeProblem(problem: SchemaProblem): string {
  const params = problem.params ?? {};
  switch (problem.keyword) {
    case 'required':
      return 'This field is required';
    case 'enum':
      return `Must be one of: ${(params.allowedValues as unknown[]).map((value) => (value === '' ? '(empty)' : String(value))).join(', ')}`;
    case 'format':
      return params.format === 'date' ? 'Must be a real date as YYYY-MM-DD, for example 2026-03-14' : `Must be a ${String(params.format)}`;
    case 'type':
      return `Must be ${TYPE_WORDS[String(params.type)] ?? String(params.type)}`;
    case 'maxItems':
      return `Must have ${String(params.limit)} entries or fewer`;
    case 'maxLength':
      return `Must be ${String(params.limit)} characters or fewer`;
    case 'minLength':
      return `Must be at least ${String(params.limit)} characters`;
    case 'minimum':
      return `Must be ${String(params.limit)} or more`;
    case 'maximum':
      return `Must be ${String(params.limit)} or less`;
    default:
      return `Is not valid: ${problem.message ?? 'see the API description'}`;
  }
}

/** A request that failed its route's JSON schema, as the API's validation error. */
export function schemaValidationError(error: Error & { validation?: SchemaProblem[]; validationContext?: string }): ValidationError {
  const problems = error.validation ?? [];
  if (problems.length === 0) return new ValidationError([{ field: error.validationContext ?? 'request', message: error.message }]);
  return new ValidationError(
    problems.map((problem) => {
      const field = fieldPath(problem.instancePath ?? '', problem.keyword === 'required' ? String(problem.params?.missingProperty ?? '') : undefined);
      return { field: field || (error.validationContext === 'body' ? 'body' : (error.validationContext ?? 'request')), message: describeProblem(problem) };
    }),
  );
}

/**
 * The register's status rules name fields as its web form does. The census rules behind them name
 * the JSON path, so each needs problem is matched back by its message; anything else is translated.
 */
export function senStatusFieldErrors(errors: FieldError[], input: { provision: string; needs: ReadonlyArray<{ need: string; rank: number }> }): FieldError[] {
  const census = censusProblems(input.provision, input.needs);
  return errors.map((problem) => {
    const form = /^needs-(\d+)-(need|rank)$/.exec(problem.field);
    if (!form) return problem;
    const original = census.find((entry) => entry.message === problem.message);
    return { field: original?.field ?? `needs[${Number(form[1]) - 1}].${form[2]}`, message: problem.message };
  });
}
