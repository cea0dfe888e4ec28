// The sign-in form's flat fields and their conversion from an AuthConfig (as parsed from a dropped
// clouds.yaml / openrc by src/core/openstack/cloud-config.ts). Secrets stay in memory only.
import type { AuthConfig, EndpointInterface } from '../../core/openstack/types.ts';

export type FormAuthMethod = 'password' | 'application_credential' | 'token';

export interface SignInFields {
  authUrl: string;
  method: FormAuthMethod;
  username: string;
  userDomain: string;
  password: string;
  projectName: string;
  projectDomain: string;
  projectId: string;
  appCredId: string;
  appCredName: string;
  appCredSecret: string;
  token: string;
  region: string;
  interface: EndpointInterface;
}

export function emptyFields(): SignInFields {
  return {
    authUrl: '',
    method: 'password',
    username: '',
    userDomain: 'Default',
    password: '',
    projectName: '',
    projectDomain: 'Default',
    projectId: '',
    appCredId: '',
    appCredName: '',
    appCredSecret: '',
    token: '',
    region: '',
    interface: 'public',
  };
}

export function fieldsFromConfig(c: AuthConfig): SignInFields {
  const f = emptyFields();
  f.authUrl = c.authUrl;
  f.region = c.regionName ?? '';
  f.interface = c.interface ?? 'public';
  f.projectName = c.scope?.projectName ?? '';
  f.projectId = c.scope?.projectId ?? '';
  f.projectDomain = c.scope?.projectDomainName ?? c.scope?.projectDomainId ?? 'Default';
  const a = c.auth;
  if (a.type === 'password') {
    f.method = 'password';
    f.username = a.username;
    f.password = a.password;
    f.userDomain = a.userDomainName ?? a.userDomainId ?? 'Default';
  } else if (a.type === 'application-credential') {
    f.method = 'application_credential';
    f.appCredId = a.id ?? '';
    f.appCredName = a.name ?? '';
    f.appCredSecret = a.secret;
    f.username = a.username ?? '';
    f.userDomain = a.userDomainName ?? a.userDomainId ?? 'Default';
  } else {
    f.method = 'token';
    f.token = a.token;
  }
  return f;
}

export function toAuthConfig(f: SignInFields, cloudName?: string): AuthConfig {
  const scope = f.projectId
    ? { projectId: f.projectId }
    : f.projectName
      ? { projectName: f.projectName, projectDomainName: f.projectDomain || 'Default' }
      : undefined;
  const base = { authUrl: f.authUrl.trim(), regionName: f.region || undefined, interface: f.interface, cloudName };
  switch (f.method) {
    case 'application_credential':
      return {
        ...base,
        auth: f.appCredId
          ? { type: 'application-credential', id: f.appCredId, secret: f.appCredSecret }
          : {
              type: 'application-credential',
              name: f.appCredName,
              secret: f.appCredSecret,
              username: f.username,
              userDomainName: f.userDomain || 'Default',
            },
      };
    case 'token':
      return { ...base, auth: { type: 'token', token: f.token.trim() }, scope };
    default:
      return {
        ...base,
        auth: { type: 'password', username: f.username, password: f.password, userDomainName: f.userDomain || 'Default' },
        scope,
      };
  }
}
