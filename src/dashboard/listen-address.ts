// Where the dashboard listens: `host:port` from --listen, and whether that host is loopback
// (only then is it served without a token, since job names and users are private).
import { isIP } from "node:net";
import { InvalidOptionError } from "../errors/index.js";

/** A parsed --listen value. */
export interface ListenAddress {
  host: string;
  /** 0 asks the system for a free port. */
  port: number;
}

/** The default address: loopback only. */
export const DEFAULT_LISTEN = "127.0.0.1:8787";

/**
 * Parses `host:port`, `[v6]:port` or `:port` (loopback).
 * @throws InvalidOptionError naming the value and the expected shape.
 */
export function parseListen(value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2] ?? "";
  if (!match || port > 65535 || (match[1] !== undefined && isIP(host) !== 6)) {
    throw new InvalidOptionError(
      "listen",
      `--listen must be host:port (e.g. ${DEFAULT_LISTEN}, [::1]:8787 or 0.0.0.0:8787), got "${value}".`,
    );
  }
  return { host: host || "127.0.0.1", port };
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "::ffff:127.0.0.1";
}

/** `host:port` as a URL or a Host header writes it (v6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** `http://host:port` as a browser needs it. */
export function originOf(host: string, port: number): string {
  return `http://${hostPort(host, port)}`;
}
