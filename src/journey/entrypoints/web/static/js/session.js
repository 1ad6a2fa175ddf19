// The signed-in user: the bearer token the API signed, kept in this tab's sessionStorage only
// (gone when the tab closes; never in a cookie, so no other site can ride on it).
const KEY = "journey.session";

/** Decode a JWT's claims for display; the API checks the signature, the page never trusts it. */
function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = part + "=".repeat((4 - (part.length % 4)) % 4);
    return JSON.parse(atob(padded));
  } catch {
    return {};
  }
}

/** The current session, or null when none or expired. */
export function currentSession() {
  let stored;
  try {
    stored = JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    stored = null;
  }
  if (!stored || !stored.token) return null;
  const claims = claimsOf(stored.token);
  if (claims.exp && claims.exp * 1000 < Date.now()) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  const roles = Array.isArray(claims.roles) ? claims.roles : stored.role ? [stored.role] : [];
  return { ...stored, roles, subject: claims.sub || stored.subject || "" };
}

/** Keep a token (and what the page may show about its holder) for this tab. */
export function saveSession(token, extra = {}) {
  sessionStorage.setItem(KEY, JSON.stringify({ token, ...extra }));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

export function hasRole(session, roles) {
  return Boolean(session) && roles.some((role) => session.roles.includes(role));
}
