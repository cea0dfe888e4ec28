// What the page says in Japanese for core errors, property sources, findings, times and sizes:
// the translations are looked up by code and filled from the params (English stays the core's).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { setLocale } from '../../../src/locales/localization.ts';
import { httpError } from '../../../src/core/openstack/errors.ts';
import { transportError } from '../../../src/core/openstack/transport-errors.ts';
import { errorText } from '../../../src/elements/cloud/error-text.ts';
import { formatBytes, formatDateTime, formatDuration, formatTime } from '../../../src/elements/cloud/format.ts';
import { storeLabel, visibilityLabel } from '../../../src/elements/cloud/labels.ts';
import { suggestionSource } from '../../../src/elements/inspector/property-source-text.ts';
import { findingFix, findingMessage } from '../../../src/elements/inspector/image-inspector-findings.ts';
import { checklistDetailText } from '../../../src/elements/inspector/guest-checklist-text.ts';
import { parseCloudsYaml } from '../../../src/core/openstack/cloud-config.ts';

before(async () => {
  // lit-localize announces a locale change on window; Node has none, an EventTarget is enough
  Object.assign(globalThis, { window: new EventTarget() });
  await setLocale('ja');
});

test('an HTTP error is said in Japanese with its action and the server’s words', { timeout: 10_000 }, () => {
  const e = httpError(404, '{"message": "No image found"}', { service: 'glance', action: 'reading the image' });
  const text = errorText(e);
  assert.match(text, /イメージの読み込み中に見つかりませんでした/);
  assert.match(text, /（Glance の応答: No image found）$/);
  assert.doesNotMatch(text, /Not found while/);
});

test('sign-in failures and unreachable hosts are in Japanese', { timeout: 10_000 }, () => {
  const signIn = httpError(401, '', { service: 'keystone', action: 'signing in', signIn: true });
  assert.match(errorText(signIn), /^サインインに失敗しました。/);
  const net = transportError(new TypeError('Failed to fetch'), { service: 'glance', action: 'sending part 3', url: 'http://h:9292/v2' });
  assert.match(errorText(net), /パート 3 の送信中に http:\/\/h:9292 に接続できませんでした/);
});

test('an error without a code keeps its English sentence', { timeout: 10_000 }, () => {
  assert.equal(errorText({ message: 'Something specific.' }), 'Something specific.');
});

test('times, dates, durations and sizes follow Japanese conventions', { timeout: 10_000 }, () => {
  const d = new Date(2026, 11, 1, 13, 16, 47);
  assert.equal(formatTime(d), '13:16:47');
  assert.doesNotMatch(formatDateTime(d), /PM|AM/);
  assert.match(formatDateTime(d), /2026\/12\/01 13:16:47/);
  assert.equal(formatDuration(75), '1 分 15 秒');
  assert.equal(formatBytes(1536 * 1024), '1.5 MiB');
});

test('visibility and store labels are in Japanese, the values stay Glance’s', { timeout: 10_000 }, () => {
  assert.equal(visibilityLabel('private'), 'プライベート');
  assert.equal(storeLabel({ id: 'file', default: true }), 'file（既定）');
});

test('the Source column and findings without a former translation are in Japanese', { timeout: 10_000 }, () => {
  const src = suggestionSource({
    property: 'min_disk',
    value: 1,
    source: 'virtual size 1048576 bytes (qemu-img info), rounded up to whole GiB',
    sourceCode: { code: 'min-disk.qemu', params: { bytes: 1048576 } },
  });
  assert.equal(src, '仮想サイズ 1048576 バイト（qemu-img info）を GiB 単位に切り上げ');
  const xz = { code: 'compressed.xz', message: 'This file is xz-compressed; Glance and qemu need the disk image itself.' };
  assert.match(findingMessage(xz), /xz で圧縮されています/);
  assert.match(findingFix(xz) ?? '', /unxz/);
});

test('a guest checklist detail is in Japanese with the guest paths as they are', { timeout: 10_000 }, () => {
  const d = { code: 'guest.ifcfg.pinned', params: { path: '/etc/sysconfig/network-scripts/ifcfg-eth0', keys: 'HWADDR, UUID' } };
  const text = checklistDetailText(d) ?? '';
  assert.match(text, /^\/etc\/sysconfig\/network-scripts\/ifcfg-eth0 で HWADDR, UUID が設定されています。/);
  assert.doesNotMatch(text, /instances get a new MAC/);
  assert.equal(checklistDetailText({ code: 'guest.no-such-detail', params: {} }), null, 'an unknown code falls back to English');
});

test('a clouds.yaml entry named in a config error, and a compressed file’s inner name, are in Japanese', { timeout: 10_000 }, () => {
  let error: unknown;
  try {
    parseCloudsYaml('clouds:\n  lab:\n    auth_type: v3oidcpassword\n    auth:\n      auth_url: http://k\n');
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof Error, 'an unsupported auth_type is refused');
  const text = errorText(error as Error);
  assert.match(text, /^クラウド「lab」/);
  assert.doesNotMatch(text, /Cloud "lab"/);
  const gz = { code: 'compressed.gzip', message: 'x', params: { compression: 'gzip', originalName: 'disk.qcow2' } };
  assert.match(findingMessage(gz), /gzip で圧縮されています（中身は「disk\.qcow2」）/);
});

test('Glance refusals while editing are one Japanese sentence each, without Glance’s English appended', { timeout: 10_000 }, () => {
  const body = (m: string) => JSON.stringify({ message: m });
  const pub = errorText(
    httpError(403, body('You are not authorized to complete publicize_image action.'), { service: 'glance', action: 'updating the image' }),
  );
  assert.equal(
    pub,
    'このクラウドでイメージをパブリックにできるのは管理者だけです（Glance の publicize_image ポリシー）。別の可視性を選ぶか、パブリックにするようクラウドの運用者に依頼してください。',
  );
  const owner = errorText(httpError(403, body('You do not own this image'), { service: 'glance', action: 'deleting the image' }));
  assert.match(owner, /^このイメージは別のプロジェクトのものです。.*Glance は拒否しました（イメージの削除中）。$/);
  const moved = errorText(
    httpError(409, body('There was a conflict when trying to complete your request. Property p does not exist.'), {
      service: 'glance',
      action: 'updating the image',
    }),
  );
  assert.match(moved, /^このイメージは、ここで開いた後に別の場所で変更されました。.*（Glance の応答: Property p does not exist\.）$/);
});
