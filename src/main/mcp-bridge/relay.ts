// The stdio bridge: relays JSON-RPC messages, unchanged, between an MCP client on stdin/stdout and the mesh's /mcp over Streamable HTTP; when the mesh has forgotten the session (it restarted), opens a new one and goes on.
import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isJSONRPCRequest, type JSONRPCMessage, type JSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { describeFailure, errorResponse, streamLost, type BridgeFailure } from './describe-failure';
import { createPendingRequests } from './pending-requests';

/** Once stdin ends, answers to requests already sent are still passed on for this long before the session is ended. */
const DEFAULT_DRAIN_MS = 1500;
/** How long the mesh gets to answer the bridge's own initialize when it opens a new session. */
const RESUME_TIMEOUT_MS = 15_000;

export interface RelayOptions {
  url: URL;
  apiKey: string;
  /** One line for stderr; never a protocol message. */
  log: (line: string) => void;
  stdin?: Readable;
  stdout?: Writable;
  drainMs?: number;
}

export interface Relay {
  /** Resolves once the mesh session is ended and both transports are closed. */
  readonly closed: Promise<void>;
  /** Ends the session now, without waiting for outstanding answers (a signal). */
  stop(): Promise<void>;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

/** The SDK's client transport reports a broken event stream only through onerror, with this wording. */
function isStreamBreak(error: Error): boolean {
  return error.message.startsWith('SSE stream disconnected');
}

function stdinProblem(error: Error): string {
  if (error instanceof SyntaxError || /ZodError/.test(error.name)) return 'ignored a line on stdin that is not a JSON-RPC 2.0 message';
  return `stdin: ${oneLine(error)}`;
}

/** The id of an answer (result or error) to a request; undefined for requests, notifications and id-less errors. */
function answerId(message: JSONRPCMessage): RequestId | undefined {
  return ('result' in message || 'error' in message) && 'id' in message ? message.id : undefined;
}

function protocolVersionOf(result: Record<string, unknown>): string | undefined {
  return typeof result.protocolVersion === 'string' ? result.protocolVersion : undefined;
}

/** The mesh answered 404 to a request in a session: it no longer knows the session (restarted, or the session expired). */
function isSessionGone(error: unknown, hadSession: boolean): boolean {
  return hadSession && error instanceof StreamableHTTPError && error.code === 404;
}

function advertisesToolListChanges(result: Record<string, unknown>): boolean {
  const capabilities = result.capabilities as { tools?: { listChanged?: unknown } } | undefined;
  return capabilities?.tools?.listChanged === true;
}

export async function startRelay({ url, apiKey, log, stdin = process.stdin, stdout = process.stdout, drainMs = DEFAULT_DRAIN_MS }: RelayOptions): Promise<Relay> {
  const toClient = new StdioServerTransport(stdin, stdout);
  const pending = createPendingRequests();
  // What the client's own initialize asked for (and whether it then said initialized): replayed when a new session is needed.
  let clientInitialize: JSONRPCRequest['params'] | undefined;
  let clientInitialized = false;
  // Answers to the bridge's own requests (the initialize of a new session), kept from the client.
  const ownRequests = new Map<RequestId, (answer: JSONRPCMessage) => void>();
  let resumes = 0;
  let resuming: Promise<void> | undefined;

  function openMeshTransport(): StreamableHTTPClientTransport {
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${apiKey}` } } });
    transport.onmessage = (message) => {
      const id = answerId(message);
      const own = id === undefined ? undefined : ownRequests.get(id);
      if (own !== undefined && id !== undefined) {
        ownRequests.delete(id);
        own(message);
        return;
      }
      relayToClient(message);
    };
    // A replaced session's transport has nothing left to report.
    transport.onerror = (error) => {
      if (transport === toMesh) onMeshError(error);
    };
    return transport;
  }
  let toMesh = openMeshTransport();
  const sends = new Set<Promise<void>>();
  // A failed send() reports through onerror and then rejects: the rejection is handled with its request, onerror stays quiet.
  const handled = new WeakSet<object>();
  let stopping: Promise<void> | undefined;
  let closing = false;
  let cutDrain = (): void => {};
  let markClosed = (): void => {};
  const closed = new Promise<void>((resolve) => (markClosed = resolve));

  const describe = (error: unknown): BridgeFailure => describeFailure(error, { url, inSession: toMesh.sessionId !== undefined });

  function toClientSend(message: JSONRPCMessage): void {
    toClient.send(message).catch((error: unknown) => log(`cannot write to the MCP client: ${oneLine(error)}`));
  }

  function failRequest(id: RequestId, failure: BridgeFailure): void {
    if (pending.take(id) === undefined) return;
    log(failure.message);
    toClientSend(errorResponse(id, failure));
  }

  function markHandled(error: unknown): void {
    if (typeof error === 'object' && error !== null) handled.add(error);
  }

  function forgetCancelled(message: JSONRPCMessage): void {
    if (!('method' in message) || message.method !== 'notifications/cancelled' || 'id' in message) return;
    const requestId = message.params?.requestId;
    if (typeof requestId === 'string' || typeof requestId === 'number') pending.take(requestId);
  }

  /** The bridge's own initialize on a fresh transport, as the client first asked; the client is told its tools may have changed. */
  async function openNewSession(): Promise<void> {
    resumes += 1;
    const fresh = openMeshTransport();
    const id = `devmesh-bridge-resume-${resumes}`;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<JSONRPCMessage>((resolve, reject) => {
      ownRequests.set(id, resolve);
      timer = setTimeout(() => reject(new Error(`the mesh did not answer a new initialize within ${RESUME_TIMEOUT_MS / 1000} s`)), RESUME_TIMEOUT_MS);
    });
    try {
      await fresh.start();
      await fresh.send({ jsonrpc: '2.0', id, method: 'initialize', params: clientInitialize });
      const answer = await answered;
      if (!('result' in answer)) throw new Error(`the mesh refused a new session: ${'error' in answer ? answer.error.message : 'no result'}`);
      const version = protocolVersionOf(answer.result);
      if (version !== undefined) fresh.setProtocolVersion(version);
      if (clientInitialized) await fresh.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const old = toMesh;
      toMesh = fresh;
      void old.close().catch(() => undefined);
      log('the mesh no longer knew this MCP session (it restarted, or the session expired): opened a new one and resent the request');
      if (advertisesToolListChanges(answer.result)) toClientSend({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    } catch (error) {
      ownRequests.delete(id);
      void fresh.close().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One new session for every request that finds the old one gone at the same time. */
  function resume(): Promise<void> {
    resuming ??= openNewSession().finally(() => (resuming = undefined));
    return resuming;
  }

  function relayToMesh(message: JSONRPCMessage): void {
    if (stopping !== undefined) return;
    const request = isJSONRPCRequest(message) ? message : undefined;
    if (request !== undefined) pending.add(request.id, request.method);
    if (request?.method === 'initialize') clientInitialize = request.params;
    if ('method' in message && message.method === 'notifications/initialized') clientInitialized = true;
    forgetCancelled(message);
    const fail = (error: unknown): void => {
      markHandled(error);
      const failure = describe(error);
      if (request !== undefined) failRequest(request.id, failure);
      else log(`${failure.message} (the client's ${'method' in message ? message.method : 'answer'} was not delivered)`);
    };
    const sent = (): void => {
      if (request !== undefined) pending.markStreaming(request.id);
    };
    const transport = toMesh;
    const hadSession = transport.sessionId !== undefined;
    const sending = transport.send(message).then(sent, (error: unknown) => {
      // Sent once more in a new session when the mesh forgot this one (not the client's initialize itself, and not while stopping).
      if (!isSessionGone(error, hadSession) || clientInitialize === undefined || request?.method === 'initialize' || stopping !== undefined) return fail(error);
      markHandled(error);
      const retry = transport === toMesh ? resume() : Promise.resolve();
      return retry.then(() => toMesh.send(message)).then(sent, fail);
    });
    sends.add(sending);
    void sending.finally(() => sends.delete(sending));
  }

  function relayToClient(message: JSONRPCMessage): void {
    const id = answerId(message);
    if (id !== undefined) {
      const method = pending.take(id);
      if (method === undefined) return log(`dropped a late answer from the mesh to request ${JSON.stringify(id)}: the client already got an error for it, or cancelled it`);
      // Later POSTs carry Mcp-Protocol-Version; the transport takes it from us because the bridge is not an SDK Client.
      if (method === 'initialize' && 'result' in message) {
        const version = protocolVersionOf(message.result);
        if (version !== undefined) toMesh.setProtocolVersion(version);
      }
    }
    toClientSend(message);
  }

  function onMeshError(error: Error): void {
    // Deferred past the microtasks in which a failed send() rejects and marks its error handled.
    setImmediate(() => {
      if (closing || handled.has(error)) return;
      if (!isStreamBreak(error)) return log(describe(error).message);
      const failure = streamLost(url);
      const broken = pending.takeStreaming();
      log(failure.message);
      for (const id of broken) toClientSend(errorResponse(id, failure));
    });
  }

  function drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, drainMs);
      cutDrain = done;
      void Promise.all([pending.whenEmpty(), ...sends]).then(done);
    });
  }

  async function endSession(): Promise<void> {
    try {
      await toMesh.terminateSession();
    } catch (error) {
      markHandled(error);
      log(`could not end the MCP session: ${describe(error).message}`);
    }
  }

  async function shutDown(drain: boolean): Promise<void> {
    if (drain) await drained();
    closing = true;
    await endSession();
    await toMesh.close();
    await toClient.close();
  }

  function stop(drain: boolean): Promise<void> {
    if (stopping !== undefined) {
      if (!drain) cutDrain();
      return stopping;
    }
    stopping = shutDown(drain).finally(markClosed);
    return stopping;
  }

  toClient.onmessage = relayToMesh;
  toClient.onerror = (error) => log(stdinProblem(error));
  toClient.onclose = () => void stop(false);
  // The client quit (stdin ends) or stopped reading (a write to stdout fails): end the mesh session.
  stdin.once('end', () => void stop(true));
  stdin.once('close', () => void stop(true));
  stdout.on('error', () => void stop(false));

  await toMesh.start();
  await toClient.start();
  return { closed, stop: () => stop(false) };
}
