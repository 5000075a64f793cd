// What the progress views (the terminal view, the progress line) show of the hosts that slowed the
// batch down: how many back off now, and the latest few with why. Folded from the limits'
// host-backoff events; pure, and small whatever the number of hosts.
import type { HostBackoffEvent } from '../engine/events.js';
import { formatDuration } from './progress.js';

export interface BackoffView {
  /** Hosts backing off now (connections lowered or paused), as the limits count them. */
  hosts: number;
  /** The latest hosts to back off, newest first, one event each (at most LATEST_BACKOFFS). */
  latest: readonly HostBackoffEvent[];
}

export const NO_BACKOFF: BackoffView = { hosts: 0, latest: [] };
export const LATEST_BACKOFFS = 3;

export function applyBackoff(view: BackoffView, event: HostBackoffEvent): BackoffView {
  const others = view.latest.filter((e) => e.host !== event.host);
  return { hosts: event.hostsBackingOff, latest: event.cause === 'recovered' ? others : [event, ...others].slice(0, LATEST_BACKOFFS) };
}

/** "192.0.2.7 HTTP 429 with Retry-After, paused 25s" or "… connections reset, 1/4 connections". */
export function describeBackoff(e: HostBackoffEvent, now: number): string {
  const left = e.pausedUntil !== undefined ? e.pausedUntil - now : 0;
  // Rounded up: a pause with 300 ms left is still a pause.
  const state = left > 0 ? `paused ${formatDuration(Math.ceil(left / 1000) * 1000)}` : `${e.connections}/${e.maxConnections} connections`;
  return `${e.host} ${e.reason}, ${state}`;
}
