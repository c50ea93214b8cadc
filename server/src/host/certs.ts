/**
 * Development certificates for the emulated parts: a CA, and certificates it issues to DMS-1,
 * DMS-2, the DM Server and a device, for TLS with mutual X.509 authentication (Delegation 5.2.1.1,
 * SCR DM-DEL-S-001; DM 2.0 9.2.1). Made with @peculiar/x509 over WebCrypto: no ASN.1 written here.
 * Keys are ECDSA P-256; server certificates name localhost and 127.0.0.1 so that loopback peers
 * verify each other's host name.
 */
import { webcrypto } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  cert: string;
  key: string;
}

export interface Authority extends Issued {
  keys: CryptoKeyPair;
  certificate: x509.X509Certificate;
}

async function pemKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

export async function createAuthority(name = 'OMA DM Workbench development CA', now = new Date()): Promise<Authority> {
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`, keys, signingAlgorithm: ALG, notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + 825 * DAY),
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
  });
  return { keys, certificate, cert: certificate.toString('pem') + '\n', key: await pemKey(keys.privateKey) };
}

export interface IssueOptions {
  /** Host names and addresses the certificate is valid for (subjectAltName). */
  names?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

/** A certificate for a peer: usable as a TLS server and as a TLS client (both ends of Delegation 5.3's POSTs). */
export async function issue(ca: Authority, commonName: string, o: IssueOptions = {}): Promise<Issued> {
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const names = o.names ?? ['localhost', '127.0.0.1'];
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${commonName}`, issuer: ca.certificate.subject, publicKey: keys.publicKey, signingKey: ca.keys.privateKey, signingAlgorithm: ALG,
    notBefore: o.notBefore ?? new Date(now - DAY), notAfter: o.notAfter ?? new Date(now + 397 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: /^[\d.]+$|:/.test(n) ? 'ip' : 'dns', value: n }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await pemKey(keys.privateKey) };
}

/** The parts `omadm certs` makes certificates for; the file names say which. */
export const PARTS = ['dms1', 'dms2', 'dm-server', 'device'] as const;

/**
 * Writes ca.pem (and ca-key.pem, to issue more), and <part>.pem with <part>-key.pem for each part,
 * with a .gitignore that keeps the folder out of git: these are development keys.
 */
export async function writeCertificates(dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = await createAuthority();
  const files: [string, string][] = [['ca.pem', ca.cert], ['ca-key.pem', ca.key]];
  for (const part of PARTS) {
    const c = await issue(ca, part);
    files.push([`${part}.pem`, c.cert], [`${part}-key.pem`, c.key]);
  }
  files.push(['.gitignore', '# Development certificates and private keys made by `omadm certs`: never commit them.\n*\n']);
  for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), text, { mode: name.endsWith('key.pem') ? 0o600 : 0o644 });
  return files.map(([n]) => path.join(dir, n));
}
