// What a socket error means for a plaintext dialogue (SMTP, the STARTTLS preambles): the kind its
// failure is reported as, and the words for it.

export interface SocketFailure {
  kind: 'refused' | 'closed' | 'timeout' | 'network';
  reason: string;
}

/** `resetReason`: how the dialogue words a reset at the step it was at. */
export function socketFailure(err: NodeJS.ErrnoException, resetReason: string): SocketFailure {
  switch (err.code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', reason: 'connection refused' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'closed', reason: resetReason };
    case 'ETIMEDOUT':
      return { kind: 'timeout', reason: 'connection timed out' };
  }
  return { kind: 'network', reason: `${err.code ?? 'error'}: ${err.message.split('\n')[0] ?? ''}` };
}
