/**
 * The Azure SDK clients the target uses (compute, network, resources), for one subscription.
 *
 * Real use: DefaultAzureCredential against https://management.azure.com. Tests: a credential
 * object with getToken and a fake Azure Resource Manager on 127.0.0.1 over plain HTTP; the SDK's
 * bearer-token policy refuses non-https URLs, so it is replaced by a policy that sets the same
 * header. Only the endpoint and the credential differ: every call goes through the same code.
 *
 * The SDK's retry policy is off (maxRetries 0): retries, backoff and Retry-After are handled in
 * one place (retry.ts), where they are counted and bounded.
 */
import { ComputeManagementClient } from "@azure/arm-compute";
import type { TokenCredential } from "@azure/core-auth";
import { NetworkManagementClient } from "@azure/arm-network";
import { ResourceManagementClient } from "@azure/arm-resources";

export interface ArmConnection {
  subscriptionId: string;
  credential: TokenCredential;
  /** default https://management.azure.com */
  endpoint?: string;
}

export interface ArmClients {
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
  resources: ResourceManagementClient;
  endpoint: string;
}

const ARM = "https://management.azure.com";

export function armClients(c: ArmConnection): ArmClients {
  const endpoint = c.endpoint ?? ARM;
  const insecure = endpoint.startsWith("http://");
  if (insecure && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(endpoint)) {
    throw new Error(`Azure endpoint ${endpoint}: plain HTTP is allowed only to a local endpoint (a test's fake Resource Manager)`);
  }
  const options = { endpoint, retryOptions: { maxRetries: 0 }, ...(insecure ? { allowInsecureConnection: true } : {}) };
  const compute = new ComputeManagementClient(c.credential, c.subscriptionId, options);
  const network = new NetworkManagementClient(c.credential, c.subscriptionId, options);
  const resources = new ResourceManagementClient(c.credential, c.subscriptionId, options);
  if (insecure) {
    const scope = `${ARM}/.default`;
    for (const client of [compute, network, resources]) {
      client.pipeline.removePolicy({ name: "bearerTokenAuthenticationPolicy" });
      client.pipeline.addPolicy({
        name: "cotwinLocalBearer",
        async sendRequest(req, next) {
          const t = await c.credential.getToken(scope);
          if (t) req.headers.set("authorization", `Bearer ${t.token}`);
          return next(req);
        },
      });
    }
  }
  return { compute, network, resources, endpoint };
}

/** DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI, ...), loaded when needed. */
export async function defaultCredential(): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential();
}
