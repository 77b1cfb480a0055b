// The error every layer of src/main throws when a request cannot be served: a code the renderer
// and the CLI show (EINVAL, ENOENT, EBUSY, ...) and a message saying what is wrong. It lives below
// the API that reports it so the session and the store can throw it without importing the API.
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}
