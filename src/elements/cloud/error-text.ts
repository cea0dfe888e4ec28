// OpenStackError sentences in the page's language, looked up by the error's stable code (see
// src/core/openstack/error-codes.ts) and filled from its params. The English message of the core
// stays the fallback: for errors without a code, and in English, where it is the same sentence.
import { msg, str } from '@lit/localize';
import { getLocale, sourceLocale } from '../../locales/localization.ts';
import type { ErrorCode, ErrorParams } from '../../core/openstack/error-codes.ts';
import { visibilityHint } from '../../core/openstack/errors.ts';
import { formatDateTime } from './format.ts';

type P = ErrorParams;
const s = (p: P, k: string): string => String(p[k] ?? '');

/** The request's action ("while signing in") in the page's language; unknown ones as they are. */
export function actionText(action: string): string {
  const fixed = ACTIONS()[action];
  if (fixed) return fixed;
  let m = /^sending (part|segment) (\d+)$/.exec(action);
  if (m) return m[1] === 'part' ? msg(str`sending part ${m[2]}`) : msg(str`sending segment ${m[2]}`);
  m = /^deleting segment (\d+)$/.exec(action);
  if (m) return msg(str`deleting segment ${m[1]}`);
  m = /^creating the (container|bucket) (.+)$/.exec(action);
  if (m) return m[1] === 'container' ? msg(str`creating the container ${m[2]}`) : msg(str`creating the bucket ${m[2]}`);
  m = /^importing the image \((.+)\)$/.exec(action);
  if (m) return msg(str`importing the image (${m[1]})`);
  return action;
}

const ACTIONS = (): Record<string, string> => ({
  'signing in': msg('signing in'),
  'signing out': msg('signing out'),
  'checking the token': msg('checking the token'),
  'reading the image schema': msg('reading the image schema'),
  'reading the import methods': msg('reading the import methods'),
  'reading the stores': msg('reading the stores'),
  'reading the quota usage': msg('reading the quota usage'),
  'listing images': msg('listing images'),
  'reading the image': msg('reading the image'),
  'creating the image': msg('creating the image'),
  'updating the image': msg('updating the image'),
  'deleting the image': msg('deleting the image'),
  'uploading the image data': msg('uploading the image data'),
  'staging the image data': msg('staging the image data'),
  'adding the image location': msg('adding the image location'),
  'reading the API versions': msg('reading the API versions'),
  'reading the import tasks': msg('reading the import tasks'),
  'reading the metadata catalog': msg('reading the metadata catalog'),
  'reading a metadata namespace': msg('reading a metadata namespace'),
  'listing the stored segments': msg('listing the stored segments'),
  'writing the large-object manifest': msg('writing the large-object manifest'),
  'reading the large-object manifest': msg('reading the large-object manifest'),
  'deleting the object': msg('deleting the object'),
  'reading the account TempURL key': msg('reading the account TempURL key'),
  'setting the account TempURL key': msg('setting the account TempURL key'),
  'starting the multipart upload': msg('starting the multipart upload'),
  'listing the stored parts': msg('listing the stored parts'),
  'completing the multipart upload': msg('completing the multipart upload'),
  'aborting the multipart upload': msg('aborting the multipart upload'),
});

/** The codes this page can say in its own language (the coverage test compares with the core). */
export function translatedActions(): string[] {
  return Object.keys(ACTIONS());
}

/** Which clouds.yaml entry or openrc file a config error is about, in the page's language. */
function configSource(p: P): string {
  return p['cloud'] !== undefined ? msg(str`Cloud "${s(p, 'cloud')}"`) : msg('This openrc');
}

function said(p: P): string {
  return p['detail'] !== undefined ? msg(str` (${s(p, 'service')} said: ${s(p, 'detail')})`) : '';
}

const TEXTS: Record<ErrorCode, (p: P, action: string) => string> = {
  'http.url-filtered': (p, a) =>
    msg(
      str`${s(p, 'service')} refused the URL while ${a}: the cloud's import filters do not allow that host or port. Use a URL the operator allows ([import_filtering_opts] in glance-api.conf) or upload the file instead.`,
    ),
  'http.bad-request': (p, a) => msg(str`${s(p, 'service')} rejected the request while ${a}. Correct the values and try again.`),
  'http.token-expired': (_p, a) => msg(str`Your token has expired or was revoked while ${a}. Sign in again.`),
  'http.forbidden': (p, a) =>
    p['service'] === 'Glance' && visibilityHint({ service: 'glance', action: s(p, 'action') })
      ? msg(
          str`${s(p, 'service')} policy does not allow this (${a}). Ask the cloud operator for the needed role, or choose another option (e.g. private visibility).`,
        )
      : msg(str`${s(p, 'service')} policy does not allow this (${a}). Ask the cloud operator for the needed role.`),
  'http.not-found': (p, a) => msg(str`Not found while ${a}: it may have been deleted. Refresh the list.`),
  'http.conflict': (p, a) => msg(str`The image is not in a state that allows ${a}. Refresh it and check its status.`),
  'http.conflict-upload': (p, a) =>
    msg(
      str`The image is not in a state that allows ${a}. Refresh it and check its status; an image that already has data cannot take another upload (create a new one).`,
    ),
  'http.too-large': (p, a) =>
    msg(
      str`The image is too large for this cloud while ${a}: it exceeds the image size cap or your storage quota. Free space by deleting images, or ask the operator to raise the limit.`,
    ),
  'http.unsupported-media': (p, a) => msg(str`${s(p, 'service')} does not accept this content type while ${a}.`),
  'http.server': (p, a) =>
    msg(
      str`${s(p, 'service')} failed with an internal error (${s(p, 'status')}) while ${a}. Try again; if it persists, give the operator the request id ${s(p, 'requestId')}.`,
    ),
  'http.version-list': (p, a) =>
    msg(
      str`${s(p, 'service')} answered with a list of API versions (${s(p, 'status')}) while ${a}: the address is not the API itself. Check the endpoint URL (an object store's ends in /v1/AUTH_<project>).`,
    ),
  'http.other': (p, a) => msg(str`${s(p, 'service')} answered ${s(p, 'status')} while ${a}.`),
  'transport.aborted': (_p, a) => msg(str`Cancelled while ${a}.`),
  'transport.cors': (p) =>
    msg(
      str`CORS: ${s(p, 'host')} is reachable but does not allow this page (${s(p, 'origin')}) to read its answers. The operator must add these settings to keystone.conf and glance-api.conf and restart the services.`,
    ),
  'transport.network': (p, a) =>
    msg(
      str`Could not reach ${s(p, 'host')} while ${a}: the connection failed or dropped. Check the address and your network, then try again.`,
    ),
  'sign-in.wrong-credentials': () =>
    msg('Sign-in failed: the user name, password (or application credential), domain or project is wrong. Check them and try again.'),
  'sign-in.needs-password': () => msg('Sign-in needs a user name and a password.'),
  'sign-in.app-credential-incomplete': () => msg('An application credential needs its id (or name and user) and its secret.'),
  'sign-in.app-credential-needs-user': () => msg('An application credential given by name also needs the user name or id.'),
  'sign-in.needs-token': () => msg('Paste a token to sign in with it.'),
  'sign-in.token-refused': () =>
    msg(
      'Keystone refused the token: it has expired, was revoked, or is not valid for that project. Get a new one (openstack token issue) or sign in with a password or application credential.',
    ),
  'sign-in.subject-token-hidden': () =>
    msg(
      'Keystone answered the sign-in but its X-Subject-Token header is not readable: add X-Subject-Token to expose_headers in the [cors] section of keystone.conf.',
    ),
  'sign-in.unscoped': () => msg('Signed in, but the token is not scoped to a project: give a project name (and its domain) or id.'),
  'keystone.url-scheme': (p) => msg(str`The Keystone URL "${s(p, 'url')}" must start with http:// or https://.`),
  'session.signed-out': () => msg('You are signed out. Sign in again.'),
  'session.token-expired-at': (p) =>
    msg(
      str`The token you signed in with expired at ${formatDateTime(new Date(s(p, 'expiresAt')))}. Sign in again (with a password or application credential the page can renew the token itself).`,
    ),
  'session.cannot-renew': () => msg('This session cannot renew its token: sign in again.'),
  'session.renew-failed': () => msg('Renewing your token failed: the credentials are no longer accepted. Sign in again.'),
  'catalog.no-endpoint': (p) =>
    p['region']
      ? msg(
          str`The service catalog has no ${s(p, 'interface')} "${s(p, 'serviceType')}" endpoint in region ${s(p, 'region')}. Choose another region or interface (available: ${s(p, 'available')}).`,
        )
      : msg(
          str`The service catalog has no ${s(p, 'interface')} "${s(p, 'serviceType')}" endpoint. Choose another region or interface (available: ${s(p, 'available')}).`,
        ),
  'catalog.several-regions': (p) =>
    msg(str`The "${s(p, 'serviceType')}" service exists in several regions (${s(p, 'regions')}): choose one.`),
  'glance.protected': () =>
    msg('This image is protected, so Glance refuses to delete it. Turn "protected" off first (update the image), then delete it.'),
  'glance.visibility-forbidden': (p) =>
    p['visibility'] === 'community'
      ? msg(
          str`Only the cloud's administrators may make an image community here (Glance's ${s(p, 'policy')} policy): choose another visibility, or ask the cloud operator to make it community.`,
        )
      : msg(
          str`Only the cloud's administrators may make an image public here (Glance's ${s(p, 'policy')} policy): choose another visibility, or ask the cloud operator to make it public.`,
        ),
  'glance.not-owner': (_p, a) =>
    msg(
      str`This image belongs to another project: only its owner (or a cloud administrator) may change or delete it, so Glance refused ${a}.`,
    ),
  'glance.changed-elsewhere': () =>
    msg('The image was changed elsewhere since it was opened here: go back to it, refresh it and edit it again.'),
  'glance.wait-cancelled': () => msg('Stopped waiting for the image (cancelled).'),
  'glance.image-lost': (p) =>
    msg(str`The image ended in status "${s(p, 'status')}": Glance could not store its data. Delete it and try again.`),
  'glance.import-failed': (p) =>
    p['reason']
      ? msg(
          str`The import failed: ${s(p, 'reason')}. The image is left "${s(p, 'status')}"; delete it, or fix the source and import again.`,
        )
      : p['stores']
        ? msg(
            str`The import failed for store(s) ${s(p, 'stores')}. The image is left "${s(p, 'status')}"; delete it, or fix the source and import again.`,
          )
        : msg(str`The import failed. The image is left "${s(p, 'status')}"; delete it, or fix the source and import again.`),
  'glance.wait-timeout': (p) =>
    msg(str`The image is still "${s(p, 'status')}" after waiting; Glance may be busy. Check it later or delete it.`),
  'image.core-field': (p) => msg(str`"${s(p, 'key')}" is a core image field, not a custom property.`),
  'image.reserved-property': (p) => msg(str`"${s(p, 'key')}" is in Glance's reserved os_glance namespace: choose another property name.`),
  'image.property-too-long': (p) =>
    msg(str`The property name "${s(p, 'key').slice(0, 40)}…" is ${s(p, 'length')} characters long; Glance takes at most ${s(p, 'max')}.`),
  'config.unknown-interface': (p) => msg(str`Unknown endpoint interface "${s(p, 'value')}" (use public, internal or admin).`),
  'config.no-auth-url': (p) => msg(str`${configSource(p)} has no auth_url (OS_AUTH_URL).`),
  'config.auth-type': (p) =>
    msg(
      str`${configSource(p)} uses auth_type "${s(p, 'authType')}", which this page does not support (use password, application credential or token).`,
    ),
  'config.invalid-yaml': (p) => msg(str`This clouds.yaml is not valid YAML: ${s(p, 'reason')}`),
  'config.no-clouds': () => msg('This file has no "clouds:" section: it is not a clouds.yaml.'),
  'config.several-clouds': (p) => msg(str`This clouds.yaml defines several clouds (${s(p, 'clouds')}): choose one.`),
  'config.no-such-cloud': (p) => msg(str`No cloud named "${s(p, 'name')}" in this clouds.yaml (it has ${s(p, 'clouds')}).`),
  'config.no-os-auth-url': () => msg('This file sets no OS_AUTH_URL: it is not an openrc file.'),
  'object.quota': (p, a) =>
    msg(
      str`${s(p, 'service')} refused the data while ${a}: the object store's quota or size limit is reached. Free space in your containers or ask the operator to raise the quota, then run the upload again; the parts already stored are kept.`,
    ),
  'object.md5-mismatch': (p, a) => msg(str`${s(p, 'service')} received other bytes than were sent while ${a} (its MD5 differs).`),
  'object.stalled': (_p, a) => msg(str`No byte moved for too long while ${a}: the part stalled.`),
  'object.cors-swift': (p, a) =>
    msg(
      str`CORS: Swift is reachable but does not allow this page (${s(p, 'origin')}) to read its answer while ${a}. The operator must set cors_allow_origin = ${s(p, 'origin')} in proxy-server.conf (and keep etag in cors_expose_headers).`,
    ),
  'object.cors-s3': (p, a) =>
    msg(
      str`CORS: S3 is reachable but does not allow this page (${s(p, 'origin')}) to read its answer while ${a}. The bucket needs a CORS rule allowing ${s(p, 'origin')} with ExposeHeaders ETag.`,
    ),
  'object.etag-unreadable-swift': (_p, a) =>
    msg(
      str`Swift answered ${a} without a readable ETag, so the part cannot be checked: the proxy must expose it: add etag to cors_expose_headers in proxy-server.conf.`,
    ),
  'object.etag-unreadable-s3': (_p, a) =>
    msg(
      str`S3 answered ${a} without a readable ETag, so the part cannot be checked: the bucket CORS rule must list ETag in ExposeHeaders.`,
    ),
  's3.wrong-credentials': (p, a) =>
    msg(
      str`S3 refused the EC2 credentials while ${a} (${s(p, 's3Code')}): check the access key and secret (openstack ec2 credentials list) and the region.`,
    ),
  's3.bucket-name': (_p, a) =>
    msg(
      str`S3 refused the bucket name while ${a}: use 3 to 63 lowercase letters, digits, hyphens or dots, starting and ending with a letter or digit (e.g. images).`,
    ),
  's3.bad-digest': (_p, a) => msg(str`S3 received other bytes than were sent while ${a} (BadDigest).`),
  's3.assembled-mismatch': (p) =>
    msg(str`S3 assembled the object with ETag ${s(p, 'etag')} instead of ${s(p, 'expected')}: the part list is not the one sent.`),
  'swift.tempurl-only': () =>
    msg(
      "A TempURL key alone cannot write a large object: Swift's tempurl middleware drops ?multipart-manifest=put and refuses X-Object-Manifest. Sign in (a Keystone token); the key can then sign Glance's download URL.",
    ),
  'swift.no-slo': () =>
    msg('This Swift has no static large object support (slo is not in /info): the operator must add slo to the proxy pipeline.'),
  'swift.manifest-mismatch': (p) =>
    msg(str`Swift stored the manifest with ETag ${s(p, 'etag')} instead of ${s(p, 'expected')}: the segment list is not the one sent.`),
  'swift.manifest-unverified': (p) =>
    msg(str`Swift answered the manifest of ${s(p, 'object')} without an ETag, so the stored segment list cannot be verified.`),
  'object.part-etag-mismatch': (p) => msg(str`${s(p, 'part')} was stored with ETag ${s(p, 'etag')} instead of its MD5 ${s(p, 'md5')}.`),
  'upload.verify-mismatch': (p) =>
    msg(
      str`The image Glance stored does not match the file (${s(p, 'problems')}): the data was altered in transit or by the cloud. Delete the image and upload again.`,
    ),
  'upload.image-after-failure': (p) =>
    msg(
      str`The image is "${s(p, 'status')}" after a failed upload, so it cannot take the data again: delete it and upload to a new image.`,
    ),
  'upload.image-not-queued': (p) =>
    msg(str`The image ${s(p, 'id')} is "${s(p, 'status')}": it cannot take an upload. Delete it and upload to a new image.`),
  'upload.stopped': () => msg('The upload was stopped.'),
  'upload.failed': (p) => msg(str`The upload failed: ${s(p, 'reason')}`),
  'register.import-filtered': (p) =>
    msg(
      str`Glance's import filters refuse the object store's address ${s(p, 'address')}: in glance-api.conf, [import_filtering_opts], add ${s(p, 'host')} to allowed_hosts (and ${s(p, 'port')} to allowed_ports if that list is not empty, ${s(p, 'scheme')} to allowed_schemes), then restart glance-api.`,
    ),
  'register.no-web-download': (p) =>
    msg(
      str`This Glance does not offer the web-download import (it offers ${s(p, 'methods')}): the operator must add web-download to enabled_import_methods in glance-api.conf.`,
    ),
  'register.image-not-queued': (p) =>
    msg(str`The image ${s(p, 'id')} is "${s(p, 'status')}", so it cannot take the object's data: delete it and run again.`),
  'part-size.not-a-size': (p) =>
    msg(str`"${s(p, 'text')}" is not a size: use a number of bytes with an optional K, M or G suffix (e.g. 64M).`),
  'part-size.not-positive': (p) => msg(str`The segment size must be a positive whole number of bytes (got ${s(p, 'size')}).`),
  'part-size.below-minimum': (p) =>
    msg(str`The segment size ${s(p, 'size')} is below the minimum of ${s(p, 'min')} (${s(p, 'source')}): choose at least ${s(p, 'min')}.`),
  'part-size.above-maximum': (p) =>
    msg(str`The segment size ${s(p, 'size')} is above the largest object of ${s(p, 'max')} (${s(p, 'source')}): choose a smaller one.`),
  'part-size.too-many-parts': (p) =>
    msg(
      str`A ${s(p, 'fileSize')} file in ${s(p, 'size')} segments needs ${s(p, 'parts')} parts, more than the ${s(p, 'maxParts')} allowed (${s(p, 'source')}): choose at least ${s(p, 'atLeast')}.`,
    ),
  's3.upload-gone': (_p, a) => msg(str`The multipart upload is gone on the S3 side while ${a} (aborted or expired): it starts again.`),
};

/** The codes the page translates (the coverage test compares them with the core's table). */
export function translatedErrorCodes(): string[] {
  return Object.keys(TEXTS);
}

export interface CodedError {
  message: string;
  code?: string;
  params?: ErrorParams;
}

/** The error's sentence in the page's language (English: the core's own sentence). */
export function errorText(e: CodedError): string {
  const t = e.code ? TEXTS[e.code as ErrorCode] : undefined;
  if (!t || getLocale() === sourceLocale) return e.message;
  const p = e.params ?? {};
  // the server's own words go last, where they read well in any language
  return t(p, actionText(s(p, 'action'))) + said(p);
}
