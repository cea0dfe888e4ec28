// The `upload` command's flags, exactly as issue 8 §6 specifies them (a contract scripts rely on).
import { glanceDiskFormatName } from '../core/inspect/glance-formats.ts';
import { CORE_IMAGE_FIELDS, propertyKeyRefusal } from '../core/openstack/image-fields.ts';
import { MAX_PARALLEL, parseSize } from '../core/upload/part-size.ts';
import type { UploadVia } from '../core/upload/types.ts';

export const usage = `usage: image-inspector upload FILE [--via glance|swift|s3] [--os-cloud NAME] [--os-storage-url URL]
    [--container NAME] [--segment-size SIZE] [--parallel N] [--no-register] [--json]
    [--name NAME] [--disk-format F] [--container-format F] [--min-disk GB] [--min-ram MB]
    [--property KEY=VALUE]... [--public] [--protected]

Inspects FILE as \`inspect\` does (an unsafe verdict refuses), then uploads it: straight into
Glance (--via glance, the default: one PUT), or to object storage in parallel, checked parts
(--via swift: static large object; --via s3: multipart upload) and then registers it in Glance
by web-download; Glance's checksum and hash (sha512 unless the cloud hashes with another
algorithm) are checked against the file. The disk and container formats are checked against
the cloud's lists before anything is sent. Run the same command again after an interruption:
an object-storage upload resumes with the parts stored, a Glance upload is sent again into the
image the interrupted run left queued.

  --via glance|swift|s3   where the bytes go (default glance)
  --os-cloud NAME         the cloud in clouds.yaml (else OS_CLOUD, else the OS_* variables)
  --os-storage-url URL    object-store endpoint instead of the catalog's (…/v1/AUTH_<project>)
  --container NAME        container or bucket (default images; Swift segments in NAME_segments)
  --segment-size SIZE     part size, e.g. 64M (K/M/G suffixes); default from the file size and limits
  --parallel N            parts in flight (default 8, at most 64)
  --no-register           keep the object only, create no Glance image
  --json                  print {"image","object","sha512","md5","bytesSent","resumed"} on stdout
  --name NAME             image name (default: the file name)
  --disk-format F         disk_format (default: the inspected format; qemu-img's vpc means vhd);
                          also checked by inspection
  --container-format F    container_format (default: bare, ova for an OVA)
  --min-disk GB, --min-ram MB, --property KEY=VALUE (repeatable), --public, --protected

progress goes to stderr. S3 keys: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else your EC2
credentials in Keystone (created when you have none). State for resuming:
$XDG_CACHE_HOME/image-inspector/uploads/ (~/.cache when unset or not an absolute path); no
secret is written there.

exit status: 0 everything asked for is done and verified; 1 the file is not safe to upload
             as it is (see the findings); 2 any other error (one sentence on stderr), including
             an interrupted run (SIGINT, SIGTERM), after which the same command resumes.
`;

export interface UploadArgs {
  file: string;
  via: UploadVia;
  osCloud?: string;
  storageUrl?: string;
  container: string;
  segmentSize?: number;
  parallel?: number;
  register: boolean;
  json: boolean;
  name?: string;
  diskFormat?: string;
  containerFormat?: string;
  minDisk?: number;
  minRam?: number;
  properties: Record<string, string>;
  isPublic: boolean;
  isProtected: boolean;
}

export class ArgsError extends Error {}

/** Swift's MAX_CONTAINER_NAME_LENGTH (swift/common/constraints.py), in bytes. */
const SWIFT_MAX_CONTAINER_NAME = 256;

function wholeNumber(flag: string, v: string, min = 0): number {
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new ArgsError(`${flag} needs a whole number${min ? ` of at least ${min}` : ''} (got "${v}")`);
  return Number(v);
}

/** Parses the flags; null means --help was asked for. */
export function parseUploadArgs(args: string[]): UploadArgs | null {
  const a: UploadArgs = {
    file: '',
    via: 'glance',
    container: 'images',
    register: true,
    json: false,
    properties: {},
    isPublic: false,
    isProtected: false,
  };
  const files: string[] = [];
  // flags only an object-storage upload reads: given with --via glance they would be ignored
  const objectFlags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    let flag = args[i]!;
    if (flag === '--') {
      // the rest are files, also one named '-…' (as convert takes it)
      files.push(...args.slice(i + 1));
      break;
    }
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const need = () => {
      const v = value ?? args[++i];
      if (v === undefined || v === '' || (value === undefined && v.startsWith('--'))) throw new ArgsError(`${flag} needs a value`);
      return v;
    };
    // a switch takes no value: --public=false must not make the image public
    const noValue = () => {
      if (value !== undefined) throw new ArgsError(`${flag} takes no value (got "${flag}=${value}")`);
    };
    if (['--os-storage-url', '--container', '--segment-size', '--parallel'].includes(flag) && !objectFlags.includes(flag))
      objectFlags.push(flag);
    switch (flag) {
      case '-h':
      case '--help':
        return null;
      case '--via': {
        const v = need();
        if (v !== 'glance' && v !== 'swift' && v !== 's3') throw new ArgsError(`--via must be glance, swift or s3 (got "${v}")`);
        a.via = v;
        break;
      }
      case '--os-cloud':
        a.osCloud = need();
        break;
      case '--os-storage-url': {
        const v = need();
        let ok = false;
        try {
          ok = ['http:', 'https:'].includes(new URL(v).protocol);
        } catch {
          // not a URL at all
        }
        if (!ok)
          throw new ArgsError(
            `--os-storage-url needs an http or https URL such as https://swift.example.com/v1/AUTH_<project> (got "${v}")`,
          );
        a.storageUrl = v;
        break;
      }
      case '--container':
        a.container = need();
        break;
      case '--segment-size':
        a.segmentSize = parseSize(need());
        break;
      case '--parallel':
        a.parallel = wholeNumber(flag, need(), 1);
        // more connections than this only contend with each other (the engine caps at it too)
        if (a.parallel > MAX_PARALLEL) throw new ArgsError(`--parallel allows at most ${MAX_PARALLEL} parts in flight (got ${a.parallel})`);
        break;
      case '--no-register':
        noValue();
        a.register = false;
        break;
      case '--json':
        noValue();
        a.json = true;
        break;
      case '--name':
        a.name = need();
        break;
      case '--disk-format':
        a.diskFormat = glanceDiskFormatName(need());
        break;
      case '--container-format':
        a.containerFormat = need().toLowerCase();
        break;
      case '--min-disk':
        a.minDisk = wholeNumber(flag, need());
        break;
      case '--min-ram':
        a.minRam = wholeNumber(flag, need());
        break;
      case '--property': {
        const v = need();
        const k = v.indexOf('=');
        if (k <= 0) throw new ArgsError(`--property needs KEY=VALUE (got "${v}")`);
        // refused here, not by Glance after the whole object was uploaded
        if (CORE_IMAGE_FIELDS.has(v.slice(0, k)))
          throw new ArgsError(
            `--property cannot set "${v.slice(0, k)}", a core image field (use --name, --disk-format, --container-format, --min-disk, --min-ram, --public or --protected)`,
          );
        const refused = propertyKeyRefusal(v.slice(0, k));
        if (refused) throw new ArgsError(`--property: ${refused.message}`);
        a.properties[v.slice(0, k)] = v.slice(k + 1);
        break;
      }
      case '--public':
        noValue();
        a.isPublic = true;
        break;
      case '--protected':
        noValue();
        a.isProtected = true;
        break;
      default:
        if (flag.startsWith('-') && flag !== '-') throw new ArgsError(`unknown option ${flag}`);
        files.push(flag);
    }
  }
  if (files.length !== 1) throw new ArgsError(files.length ? 'give exactly one FILE' : 'give the FILE to upload');
  if (!a.register && a.via === 'glance')
    throw new ArgsError('--no-register needs --via swift or s3 (an upload through Glance always creates an image)');
  if (objectFlags.length && a.via === 'glance')
    throw new ArgsError(
      `${objectFlags.join(', ')} ${objectFlags.length > 1 ? 'are' : 'is'} for object storage: add --via swift or --via s3 (an upload through Glance is one PUT)`,
    );
  // Swift's own answer to these is a bare 404 at the container PUT ("Not found … Refresh the list")
  if (a.via === 'swift') {
    const bytes = Buffer.byteLength(`${a.container}_segments`);
    if (a.container.includes('/'))
      throw new ArgsError(`--container names one Swift container, and a container name cannot contain "/" (got "${a.container}")`);
    if (bytes > SWIFT_MAX_CONTAINER_NAME)
      throw new ArgsError(
        `--container is too long: Swift allows ${SWIFT_MAX_CONTAINER_NAME} bytes for its segment container ${a.container}_segments (it has ${bytes})`,
      );
  }
  a.file = files[0]!;
  return a;
}
