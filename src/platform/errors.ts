/** A problem with what the user sent, tied to the fields it concerns so forms can show it in place. */
export interface FieldError {
  field: string;
  message: string;
}

export class ValidationError extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map((error) => `${error.field}: ${error.message}`).join('; '));
    this.errors = errors;
  }
}

export class NotFoundError extends Error {
  constructor(message = 'Page not found') {
    super(message);
  }
}

export class ForbiddenError extends Error {
  constructor(message = 'You do not have permission to see this page') {
    super(message);
  }
}
