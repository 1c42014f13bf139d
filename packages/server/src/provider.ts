/**
 * Which Realtime provider the handler talks to (OpenAI, Azure OpenAI, or any GA-compatible
 * upstream such as the local simulator), and what that decides: URLs, the key and how it is
 * sent, the pinned model.
 */
import { TokenHandlerError } from './errors.js';
import { isLoopbackHostname, requireSecureUrl } from './hosts.js';

/** The OpenAI API base URL, the default `upstream`. */
export const OPENAI_UPSTREAM = 'https://api.openai.com/v1';

/**
 * Azure OpenAI (GA v1 API). Keys are minted at
 * `POST {endpoint}/openai/v1/realtime/client_secrets` with the `api-key` header, the browser
 * gets `calls_url` = `{endpoint}/openai/v1/realtime/calls`, and the session's model is the
 * deployment name.
 */
export interface AzureOptions {
  /** The resource endpoint, e.g. `https://my-resource.openai.azure.com` (a trailing `/openai/v1` is accepted). */
  endpoint: string;
  /** The deployment name of your realtime model (Azure's `model`), e.g. `"gpt-realtime"`. */
  deployment: string;
}

/** The provider facts every server-side request needs (mint now; call control and sideband reuse them). */
export interface UpstreamProvider {
  /** `openai` (api.openai.com), `azure` (the `azure` option) or `custom` (any other `upstream`). */
  kind: 'openai' | 'azure' | 'custom';
  /** API base URL without a trailing slash, e.g. `https://api.openai.com/v1`, `https://r.openai.azure.com/openai/v1`. */
  baseUrl: string;
  /** `${baseUrl}/realtime/client_secrets`. */
  clientSecretsUrl: string;
  /** The SDP URL handed to the browser as `calls_url`. */
  callsUrl: string;
  /** The real key, or undefined (a local simulator needs none). */
  apiKey: string | undefined;
  /** Headers that authenticate a server-side request: `authorization: Bearer …`, Azure's `api-key`, or none. */
  authHeaders: Readonly<Record<string, string>>;
  /** A model the provider pins (Azure: the deployment name). */
  model: string | undefined;
  /** True when the upstream is on loopback (a local simulator): no real account is billed. */
  local: boolean;
}

/** The provider-related options of `createTokenHandler`. */
export interface ProviderOptions {
  /** The real key. */
  apiKey?: string;
  /** A GA-compatible base URL. */
  upstream?: string;
  /** The SDP URL for the browser. */
  callsUrl?: string;
  /** Azure OpenAI instead of `upstream`. */
  azure?: AzureOptions;
}

/** Reads an environment variable without assuming `process` exists (edge runtimes). */
export function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function trimSlashes(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function azureBase(azure: AzureOptions, factory: string): string {
  const url = requireSecureUrl(azure.endpoint, 'azure.endpoint', factory);
  const path = url.pathname.replace(/\/+$/, '');
  if (url.search !== '' || url.hash !== '' || (path !== '' && path !== '/openai/v1')) {
    throw new TokenHandlerError(
      'invalid_options',
      `Invalid ${factory} option "azure.endpoint": give the resource ` +
        'endpoint, e.g. "https://my-resource.openai.azure.com" ' +
        '(the GA v1 API: no api-version, no /openai/deployments/… path).',
    );
  }
  return `${url.origin}/openai/v1`;
}

/**
 * Resolves the provider: base URL (https, or http on loopback), key (`apiKey`, else
 * `OPENAI_API_KEY` for OpenAI or `AZURE_OPENAI_API_KEY` for Azure; never read from the
 * environment for another upstream, so a real key cannot reach a simulator or proxy by
 * accident) and how it is sent.
 *
 * @param factory - the function named in configuration errors.
 * @throws TokenHandlerError `invalid_options` (conflicting or insecure URLs) or `missing_api_key`.
 */
export function resolveProvider(options: ProviderOptions, factory = 'createTokenHandler'): UpstreamProvider {
  if (options.azure !== undefined && options.upstream !== undefined) {
    throw new TokenHandlerError('invalid_options', `Invalid ${factory} options: pass either "azure" or "upstream", not both.`);
  }
  const explicitKey = options.apiKey !== undefined && options.apiKey.length > 0 ? options.apiKey : undefined;
  let kind: UpstreamProvider['kind'];
  let baseUrl: string;
  if (options.azure !== undefined) {
    kind = 'azure';
    baseUrl = azureBase(options.azure, factory);
  } else {
    baseUrl = trimSlashes(requireSecureUrl(options.upstream ?? OPENAI_UPSTREAM, 'upstream', factory));
    kind = new URL(baseUrl).hostname === 'api.openai.com' ? 'openai' : 'custom';
  }
  if (options.callsUrl !== undefined) requireSecureUrl(options.callsUrl, 'callsUrl', factory);
  const callsUrl = options.callsUrl ?? `${baseUrl}/realtime/calls`;
  const envName = kind === 'openai' ? 'OPENAI_API_KEY' : kind === 'azure' ? 'AZURE_OPENAI_API_KEY' : undefined;
  const apiKey = explicitKey ?? (envName === undefined ? undefined : readEnv(envName));
  if (envName !== undefined && apiKey === undefined) {
    throw new TokenHandlerError(
      'missing_api_key',
      kind === 'openai'
        ? `No OpenAI API key: set the OPENAI_API_KEY environment variable or pass ${factory}({ apiKey }). ` +
            `For a local simulator, pass ${factory}({ upstream: "http://127.0.0.1:<port>/v1" }) instead.`
        : `No Azure OpenAI key: set the AZURE_OPENAI_API_KEY environment variable or pass ${factory}({ apiKey }).`,
    );
  }
  const authHeaders: Record<string, string> = {};
  if (apiKey !== undefined) {
    if (kind === 'azure') authHeaders['api-key'] = apiKey;
    else authHeaders.authorization = `Bearer ${apiKey}`;
  }
  return {
    kind,
    baseUrl,
    clientSecretsUrl: `${baseUrl}/realtime/client_secrets`,
    callsUrl,
    apiKey,
    authHeaders: Object.freeze(authHeaders),
    model: kind === 'azure' ? options.azure?.deployment : undefined,
    local: isLoopbackHostname(new URL(baseUrl).hostname),
  };
}
