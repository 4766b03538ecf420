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

// bcrypt cost 10 is the library default: ~50 ms per hash on the 2-core target, enough against offline guessing.
export const BCRYPT_COST = 10
