/**
 * @module http/closing-responses
 * Once shutting down, every answer closes its connection (`Connection: close`), answers to
 * requests already in flight included. Kept alive, the connection went back to the client's pool
 * and was closed by the drain's idle sweep a moment later: a POST Alertmanager sent on it
 * meanwhile met a closed socket, and Go's HTTP client does not retry a POST on a reused
 * connection once it was written. Told to close, the client opens a new connection, to a replica
 * that is not stopping.
 *
 * Why a class of its own, and not a middleware: a global Hono middleware gives every route a
 * second handler, which turns off Hono's one-handler fast path (every request through
 * `compose()`), a cost every webhook paid for an effect needed only during shutdown. Nor a
 * `'request'` listener added at shutdown: a request whose `'request'` event came before it (its
 * headers read, its body or its handler still under way) would be missed. Node creates each
 * response with the server's `ServerResponse` option; this class adds nothing until
 * `closeConnections()` to what its base adds to every head (`X-Content-Type-Options`,
 * http/every-response-headers.ts), so a response costs what that one does (V8 skips a derived
 * class's default constructor). Then its prototype gains a `writeHead` that adds the header: Node and
 * @hono/node-server write every answer's head through `writeHead` (plain and streamed bodies
 * alike), and a method is looked up when called, so answers still to be written pick it up too.
 * One class per server: other servers in the process (tests run several) are left alone.
 */
import type { ServerResponse } from 'node:http';
import { NosniffResponse } from './every-response-headers.js';

export interface ClosingResponses {
  /** For `http.createServer`'s `ServerResponse` option. */
  readonly ServerResponse: typeof ServerResponse;
  /** From now on, every answer not yet written carries `Connection: close`. */
  closeConnections(): void;
}

export function closingResponses(): ClosingResponses {
  class AlertgateResponse extends NosniffResponse {}
  const writeHead = NosniffResponse.prototype.writeHead;
  return {
    // Node's typing is generic in the request type, a subclass's is not; they are the same class.
    ServerResponse: AlertgateResponse as typeof ServerResponse,
    closeConnections() {
      AlertgateResponse.prototype.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
        // Node throws for a second head; leave that error to its own writeHead.
        if (!this.headersSent) this.setHeader('connection', 'close');
        return writeHead.apply(this, args);
      } as typeof writeHead;
    },
  };
}
