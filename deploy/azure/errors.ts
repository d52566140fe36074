/**
 * Azure errors sorted into what the target does about them, each with its code and a hint for
 * the operator. The codes are the ones Azure Resource Manager and Compute return (the Azure docs
 * and the issue trackers of Karpenter's Azure provider, Terraform's azurerm and the SDKs list
 * them); the hints say what usually fixes them.
 */
import type { TargetError } from "../types.ts";
import { parseRetryAfter, type RetryVerdict } from "../retry.ts";

export type ArmErrorKind =
  | "throttled"
  | "transient"
  | "sku"
  | "allocation"
  | "quota"
  | "auth"
  | "credential"
  | "notFound"
  | "exists"
  | "provisioning"
  | "nicReserved"
  | "other";

export interface ArmErrorInfo extends TargetError {
  kind: ArmErrorKind;
  status?: number;
  retryAfterMs?: number;
}

const ALLOCATION = new Set(["AllocationFailed", "ZonalAllocationFailed", "OverconstrainedAllocationRequest", "OverconstrainedZonalAllocationRequest"]);
const TRANSIENT = new Set(["InternalServerError", "ServiceUnavailable", "RetryableError", "InternalExecutionError", "GatewayTimeout", "BadGateway", "RequestTimeout", "OperationPreempted"]);
const PROVISIONING = new Set(["OSProvisioningTimedOut", "VMStartTimedOut", "OSProvisioningClientError", "VMAgentStatusCommunicationError", "ProvisioningTimedOut"]);
const NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "REQUEST_SEND_ERROR"]);

const HINTS: Record<ArmErrorKind, string> = {
  throttled: "Azure Resource Manager is throttling this subscription; retried after the wait it asked for",
  transient: "a transient Azure error; retried with backoff",
  sku: "the size is not offered in this region or zone now (`az vm list-skus --location <region> --size <size> --output table` shows restrictions); the next size that fits is tried",
  allocation: "Azure has no capacity for this size in the region now; the next size that fits is tried (or retry later, or another region)",
  quota: "the subscription's vCPU quota for this size family or region is used up: request more (Azure portal: Subscriptions > Usage + quotas) or use another family; the next size of another family is tried",
  auth: "the identity lacks permission on the resource group: give it the Contributor role there (or Virtual Machine Contributor and Network Contributor): `az role assignment create --assignee <id> --role Contributor --scope /subscriptions/<sub>/resourceGroups/<group>`",
  credential: "no Azure credential: sign in with `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or use a managed identity)",
  notFound: "the resource does not exist (anymore)",
  exists: "a resource with this name exists already",
  provisioning: "the VM did not report ready in time but may still finish: it is checked again before anything is cleaned up",
  nicReserved: "Azure keeps a network interface reserved for 180 s after its VM is deleted; deleted later",
  other: "",
};

function header(e: { response?: { headers?: { get?(n: string): string | undefined | null } } }, name: string): string | undefined {
  const v = e.response?.headers?.get?.(name);
  return v ?? undefined;
}

/** What an SDK error (RestError, a failed long-running operation, a network error) means. */
export function armError(e: unknown, nowEpochMs = Date.now()): ArmErrorInfo {
  const x = (e ?? {}) as { name?: string; code?: string; statusCode?: number; message?: string; details?: { error?: { code?: string; message?: string } }; response?: { headers?: { get?(n: string): string | undefined | null } } };
  if (x.name === "CredentialUnavailableError" || x.name === "AuthenticationRequiredError" || x.name === "AggregateAuthenticationError") {
    return { kind: "credential", code: x.name, message: firstLine(x.message), hint: HINTS.credential };
  }
  // A failed long-running operation comes back as a plain Error: "The long-running operation has failed. <code>. <message>"
  const lro = /^The long-running operation has failed\. ([A-Za-z0-9_.]+)\. ([\s\S]*)$/.exec(x.message ?? "");
  const code = lro?.[1] ?? x.details?.error?.code ?? x.code ?? (x.statusCode ? `HTTP${x.statusCode}` : x.name ?? "Error");
  const status = x.statusCode;
  const message = firstLine(lro?.[2] ?? x.details?.error?.message ?? x.message ?? String(e));
  const retryAfterMs = parseRetryAfter(header(x, "retry-after"), nowEpochMs);
  let kind: ArmErrorKind = "other";
  if (status === 429 || code === "TooManyRequests" || code === "ResourceRequestsThrottled" || code === "SubscriptionRequestsThrottled") kind = "throttled";
  else if (code === "SkuNotAvailable") kind = "sku";
  else if (ALLOCATION.has(code)) kind = "allocation";
  else if (code === "QuotaExceeded" || (code === "OperationNotAllowed" && /quota/i.test(message))) kind = "quota";
  else if (code === "AuthorizationFailed" || code === "LinkedAuthorizationFailed" || status === 403) kind = "auth";
  else if (code === "InvalidAuthenticationToken" || code === "ExpiredAuthenticationToken" || status === 401) kind = "credential";
  else if (status === 404 || code === "ResourceNotFound" || code === "NotFound" || code === "ResourceGroupNotFound") kind = "notFound";
  else if (status === 412 || code === "PreconditionFailed") kind = "exists";
  else if (PROVISIONING.has(code)) kind = "provisioning";
  else if (code === "NicReservedForAnotherVm" || code === "NicInUse") kind = "nicReserved";
  else if ((status !== undefined && status >= 500) || TRANSIENT.has(code) || NETWORK.has(code)) kind = "transient";
  return { kind, code, message, status, retryAfterMs, hint: HINTS[kind] || undefined };
}

/** Throttling and transient errors are retried (after Retry-After when given); the rest are not. */
export function armRetryVerdict(e: unknown): RetryVerdict {
  const i = armError(e);
  return { retry: i.kind === "throttled" || i.kind === "transient", retryAfterMs: i.retryAfterMs };
}

function firstLine(s: string | undefined): string {
  const t = (s ?? "").trim();
  const nl = t.indexOf("\n");
  return (nl < 0 ? t : t.slice(0, nl)).slice(0, 500);
}
