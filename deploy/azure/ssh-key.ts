/**
 * Azure's Linux VMs need an SSH public key (password login is disabled). When the operator gives
 * none, a throwaway key is made and its private half is discarded: nobody can log in, which is
 * what "SSH stays closed" means even before the network security group.
 */
import { generateKeyPairSync } from "node:crypto";

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

function mpint(b64url: string): Buffer {
  let b = Buffer.from(b64url, "base64url");
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

/** An RSA public key in OpenSSH's one-line format, with no private key kept anywhere. */
export function throwawayPublicKey(comment = "cotwin-no-login"): string {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 3072 });
  const jwk = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const blob = Buffer.concat([sshString(Buffer.from("ssh-rsa")), mpint(jwk.e), mpint(jwk.n)]);
  return `ssh-rsa ${blob.toString("base64")} ${comment}`;
}
