import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface SandboxCertificate {
  key: string;
  cert: string;
  /** Uppercase, colon-separated SHA-256, as Node and OpenSSL print it. */
  fingerprint256: string;
  validTo: string;
}

/** A fresh self-signed certificate for 127.0.0.1, ::1 and localhost, made at every start. */
export async function makeCertificate(commonName = 'sandbox.cpanel.test'): Promise<SandboxCertificate> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + 30 * 24 * 3600 * 1000);
  const pems = await generate(
    [
      { name: 'commonName', value: commonName },
      { name: 'organizationName', value: 'cPanel API Explorer sandbox' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: notBefore,
      notAfterDate: notAfter,
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 2, value: commonName },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    },
  );
  const x = new X509Certificate(pems.cert);
  return { key: pems.private, cert: pems.cert, fingerprint256: x.fingerprint256, validTo: x.validTo };
}
