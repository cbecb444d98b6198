// WebAuthn in the browser: the API's options (binary fields base64url) to the browser's
// credential calls, and the answers back to base64url for the API. Security keys and platform
// authenticators alike; the server checks origin, challenge, signature and counter.
import { api } from './api';

export function toB64url(buf: ArrayBuffer | Uint8Array): string {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromB64url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; ++i) out[i] = bin.charCodeAt(i);
  return out;
}

interface CredentialRef {
  type: 'public-key';
  id: string;
}

interface RequestOptionsJson {
  challenge: string;
  rpId: string;
  allowCredentials: CredentialRef[];
  userVerification: UserVerificationRequirement;
  timeout: number;
}

interface CreationOptionsJson {
  challenge: string;
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: { type: 'public-key'; alg: number }[];
  excludeCredentials: CredentialRef[];
  authenticatorSelection: { userVerification: UserVerificationRequirement };
  attestation: AttestationConveyancePreference;
  timeout: number;
}

export interface Assertion {
  credential_id: string;
  client_data_json: string;
  authenticator_data: string;
  signature: string;
}

export function webauthnAvailable(): boolean {
  return typeof PublicKeyCredential !== 'undefined' && !!navigator.credentials;
}

// Asks the authenticator to sign the login challenge of `username`.
export async function assertForLogin(username: string): Promise<Assertion> {
  const o = await api.post<RequestOptionsJson>(
    '/api/v1/session/webauthn/options',
    { username },
    { anonymous: true },
  );
  const cred = (await navigator.credentials.get({
    publicKey: {
      challenge: fromB64url(o.challenge),
      rpId: o.rpId,
      allowCredentials: o.allowCredentials.map((c) => ({ type: c.type, id: fromB64url(c.id) })),
      userVerification: o.userVerification,
      timeout: o.timeout,
    },
  })) as PublicKeyCredential | null;
  if (!cred) throw new Error('the authenticator gave no answer');
  const r = cred.response as AuthenticatorAssertionResponse;
  return {
    credential_id: toB64url(cred.rawId),
    client_data_json: toB64url(r.clientDataJSON),
    authenticator_data: toB64url(r.authenticatorData),
    signature: toB64url(r.signature),
  };
}

// Registers a new authenticator for the logged-in user under `name`.
export async function registerAuthenticator(name: string): Promise<unknown> {
  const o = await api.post<CreationOptionsJson>('/api/v1/session/webauthn/register/options', {});
  const cred = (await navigator.credentials.create({
    publicKey: {
      challenge: fromB64url(o.challenge),
      rp: o.rp,
      user: { id: fromB64url(o.user.id), name: o.user.name, displayName: o.user.displayName },
      pubKeyCredParams: o.pubKeyCredParams,
      excludeCredentials: o.excludeCredentials.map((c) => ({ type: c.type, id: fromB64url(c.id) })),
      authenticatorSelection: o.authenticatorSelection,
      attestation: o.attestation,
      timeout: o.timeout,
    },
  })) as PublicKeyCredential | null;
  if (!cred) throw new Error('the authenticator gave no answer');
  const r = cred.response as AuthenticatorAttestationResponse;
  return api.post('/api/v1/session/webauthn/register', {
    name,
    client_data_json: toB64url(r.clientDataJSON),
    attestation_object: toB64url(r.attestationObject),
  });
}
