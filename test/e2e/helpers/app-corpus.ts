// Extra images for the app's end-to-end tests, made with native tools next to the shared parity
// corpus (test/corpus/generate.ts): an ISO (genisoimage), an OVA (tar of an OVF and a
// streamOptimized VMDK), a gzip'd qcow2, and hostile metadata that carries HTML.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCorpus, corpusRoot, type Corpus } from '../../corpus/generate.ts';
import { buildOnce } from '../../helpers/build-once.ts';

/** Markup an attacker would put in metadata; it must show up as these characters, not as an element. */
export const HTML_PAYLOAD = '<img src=x onerror=alert(1)>';

export interface AppCorpus {
  base: Corpus;
  dir: string;
  iso: string;
  ova: string;
  /** The disk inside the OVA, also kept as a file so native qemu-img can read it. */
  ovaDisk: string;
  gzip: string;
  /** qcow2 whose backing file name is HTML. */
  htmlBacking: string;
  /** monolithicFlat descriptor whose ddb.adapterType is HTML, and its extent. */
  htmlAdapter: string;
  htmlAdapterExtent: string;
  /** A descriptor whose only extent is RDONLY: qemu-img 7.2 skips non-RW extent lines, is left
   *  with none and aborts on an assertion (vmdk_get_info), while the file looks sane otherwise. */
  readonlyExtent: string;
  readonlyExtentData: string;
}

const here = fileURLToPath(import.meta.url);

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const OVF = (diskName: string, capacity: number) => `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References><File ovf:id="file1" ovf:href="${diskName}"/></References>
  <DiskSection><Info>Virtual disks</Info>
    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="${capacity}"
      ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <VirtualSystem ovf:id="e2e-vm"><Info>A test VM</Info>
    <VirtualHardwareSection><Info>Hardware</Info>
      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:ElementName>2 virtual CPUs</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>2048MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>2048</rasd:VirtualQuantity></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;

function build(dir: string, base: Corpus): void {
  const small = (file: string) => join(base.dir, file);
  // ISO 9660 from a folder with one file.
  mkdirSync(join(dir, 'iso-root'));
  writeFileSync(join(dir, 'iso-root', 'README.TXT'), 'image-inspector e2e ISO\n');
  sh('genisoimage', ['-quiet', '-V', 'IIE2E', '-o', 'test.iso', 'iso-root'], dir);
  // OVA: the OVF first, then the disk (what VMware and VirtualBox export), POSIX ustar.
  writeFileSync(join(dir, 'disk1.vmdk'), readFileSync(small('small-streamOptimized.vmdk')));
  const capacity = JSON.parse(sh('qemu-img', ['info', '--output=json', '-f', 'vmdk', 'disk1.vmdk'], dir))['virtual-size'];
  writeFileSync(join(dir, 'appliance.ovf'), OVF('disk1.vmdk', capacity));
  sh('tar', ['--format=ustar', '-cf', 'appliance.ova', 'appliance.ovf', 'disk1.vmdk'], dir);
  // gzip'd qcow2, the way images are often published.
  writeFileSync(join(dir, 'small.qcow2'), readFileSync(small('small.qcow2')));
  sh('gzip', ['-n', 'small.qcow2'], dir);
  // qcow2 whose backing file name is markup (-u: the backing file need not exist).
  sh('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-F', 'qcow2', '-b', `${HTML_PAYLOAD}.qcow2`, 'html-backing.qcow2', '16M'], dir);
  // A monolithicFlat VMDK whose descriptor has markup in ddb.adapterType.
  sh('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', 'html-adapter.vmdk', '1M'], dir);
  const desc = readFileSync(join(dir, 'html-adapter.vmdk'), 'utf8');
  if (!/ddb\.adapterType = "[^"]*"/.test(desc)) throw new Error('html-adapter.vmdk: no ddb.adapterType line to replace');
  writeFileSync(join(dir, 'html-adapter.vmdk'), desc.replace(/ddb\.adapterType = "[^"]*"/, `ddb.adapterType = "${HTML_PAYLOAD}"`));
  writeFileSync(
    join(dir, 'readonly-extent.vmdk'),
    desc.replace(/^RW (\d+) FLAT "html-adapter-flat\.vmdk"/m, 'RDONLY $1 FLAT "readonly-extent-flat.vmdk"'),
  );
  writeFileSync(join(dir, 'readonly-extent-flat.vmdk'), readFileSync(join(dir, 'html-adapter-flat.vmdk')));
}

function key(): string {
  return createHash('sha256').update(readFileSync(here)).digest('hex').slice(0, 16);
}

export function ensureAppCorpus(): AppCorpus {
  const base = ensureCorpus();
  const dir = join(corpusRoot(), `app-${key()}`);
  buildOnce(dir, (tmp) => build(tmp, base));
  return {
    base,
    dir,
    iso: join(dir, 'test.iso'),
    ova: join(dir, 'appliance.ova'),
    ovaDisk: join(dir, 'disk1.vmdk'),
    gzip: join(dir, 'small.qcow2.gz'),
    htmlBacking: join(dir, 'html-backing.qcow2'),
    htmlAdapter: join(dir, 'html-adapter.vmdk'),
    htmlAdapterExtent: join(dir, 'html-adapter-flat.vmdk'),
    readonlyExtent: join(dir, 'readonly-extent.vmdk'),
    readonlyExtentData: join(dir, 'readonly-extent-flat.vmdk'),
  };
}
