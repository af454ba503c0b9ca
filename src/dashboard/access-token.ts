// The token a dashboard on a non-loopback address asks for: printed once at start inside its
// URL; the first visit trades it for a cookie so links, charts and the event stream carry it.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Name of the query parameter and of the cookie holding the token. */
export const TOKEN_NAME = "ct_token";

/** A fresh random token (192 bits, URL-safe). */
export function createToken(): string {
  return randomBytes(24).toString("base64url");
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === TOKEN_NAME) return value.join("=");
  }
  return undefined;
}

/** How a request stands against the token. */
export type TokenCheck = "ok" | "from-query" | "missing";

/** Whether the request carries the token: in the cookie, a Bearer header, or the query. */
export function checkToken(request: IncomingMessage, url: URL, token: string): TokenCheck {
  const cookie = cookieToken(request);
  if (cookie !== undefined && same(cookie, token)) return "ok";
  const header = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
  if (header !== undefined && same(header, token)) return "ok";
  const query = url.searchParams.get(TOKEN_NAME);
  if (query !== null && same(query, token)) return "from-query";
  return "missing";
}

/** The Set-Cookie value that keeps the token for this dashboard's pages. */
export function tokenCookie(token: string): string {
  return `${TOKEN_NAME}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
