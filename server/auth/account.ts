/** Minimum password length; with the letters-and-digits rule it rejects the most common weak choices. */
export const MIN_PASSWORD_LENGTH = 8

/** True when a password is long enough and mixes letters and digits. */
export function isStrongPassword(password: string): boolean {
  return password.length >= MIN_PASSWORD_LENGTH && /[A-Za-z]/.test(password) && /\d/.test(password)
}

/** Emails are unique case-insensitively and stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

// bcrypt cost 10: ~60–90 ms per hash on the 2-core target, enough against offline guessing. Hashing runs in
// libuv's thread pool (@node-rs/bcrypt, native), so logins do not take the API's event loop (bcryptjs spent
// ~110 ms of that loop's CPU per hash or check). Hashes stored by bcryptjs ($2a$/$2b$) verify unchanged.
export const BCRYPT_COST = 10
