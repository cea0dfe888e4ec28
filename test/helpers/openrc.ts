// The OS_* variables an openrc of one of the local cloud's users sets (both cloud.json readers,
// the e2e/bench one and the integration one, fit the shape).
interface OpenrcUser {
  username: string;
  password: string;
  userDomainName: string;
  projectName: string;
  projectDomainName: string;
}

export function openrcOf(cloud: { keystone: { authUrl: string }; region: string }, u: OpenrcUser): Record<string, string> {
  return {
    OS_AUTH_URL: cloud.keystone.authUrl,
    OS_IDENTITY_API_VERSION: '3',
    OS_USERNAME: u.username,
    OS_PASSWORD: u.password,
    OS_USER_DOMAIN_NAME: u.userDomainName,
    OS_PROJECT_NAME: u.projectName,
    OS_PROJECT_DOMAIN_NAME: u.projectDomainName,
    OS_REGION_NAME: cloud.region,
  };
}
