// Glance refusals an operator meets while editing or deleting images are said as one sentence
// that names the reason, not "policy does not allow this … or choose private visibility" with
// Glance's words in parentheses after it, nor "not in a state that allows" for an image that
// merely changed elsewhere. Real bodies of the local Glance 25 (Zed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpError } from '../../../src/core/openstack/errors.ts';

const glance = (status: number, message: string, action: string) =>
  httpError(status, JSON.stringify({ message, code: `${status}`, title: 'x' }), { service: 'glance', action });

test('making an image public as a non-admin: one sentence naming the policy and what to choose', { timeout: 10_000 }, () => {
  const e = glance(403, 'You are not authorized to complete publicize_image action.<br /><br />\n\n\n', 'updating the image');
  assert.equal(e.code, 'glance.visibility-forbidden');
  assert.equal(e.kind, 'forbidden');
  assert.equal(
    e.message,
    "Only the cloud's administrators may make an image public here (Glance's publicize_image policy): choose another visibility, or ask the cloud operator to make it public.",
  );
  assert.deepEqual(e.params, {
    service: 'Glance',
    action: 'updating the image',
    status: 403,
    visibility: 'public',
    policy: 'publicize_image',
  });
  const c = glance(403, 'You are not authorized to complete communitize_image action.', 'creating the image');
  assert.equal(c.params?.['visibility'], 'community');
  assert.match(c.message, /make an image community here \(Glance's communitize_image policy\)/);
});

test("another project's image: says whose it is, not 'choose private visibility'", { timeout: 10_000 }, () => {
  for (const action of ['deleting the image', 'updating the image']) {
    const e = glance(403, 'You do not own this image', action);
    assert.equal(e.code, 'glance.not-owner');
    assert.equal(
      e.message,
      `This image belongs to another project: only its owner (or a cloud administrator) may change or delete it, so Glance refused ${action}.`,
    );
    assert.equal(e.params?.['detail'], undefined, 'Glance’s words are not appended after the sentence');
  }
});

test('a reserved os_glance property refused by Glance is said like the create form says it', { timeout: 10_000 }, () => {
  const e = glance(403, "Attribute 'os_glance_x' is reserved.", 'updating the image');
  assert.equal(e.code, 'image.reserved-property');
  assert.equal(e.message, `"os_glance_x" is in Glance's reserved os_glance namespace: choose another property name.`);
});

test('any other 403 asks for the role, with the visibility hint only where a visibility is set', { timeout: 10_000 }, () => {
  const del = glance(403, 'Policy doesn’t allow delete_image to be performed.', 'deleting the image');
  assert.equal(del.code, 'http.forbidden');
  assert.match(
    del.message,
    /^Glance policy does not allow this \(deleting the image\) \(Glance said: .*\)\. Ask the cloud operator for the needed role\.$/,
  );
  assert.match(glance(403, 'Policy doesn’t allow add_image.', 'creating the image').message, /\(e\.g\. private visibility\)\.$/);
});

test('a patch that no longer applies (changed elsewhere) is not called a wrong image state', { timeout: 10_000 }, () => {
  const body = 'There was a conflict when trying to complete your request.<br /><br />\nProperty my_prop does not exist.\n\n';
  const e = glance(409, body, 'updating the image');
  assert.equal(e.code, 'glance.changed-elsewhere');
  assert.equal(e.kind, 'conflict');
  assert.equal(
    e.message,
    'The image was changed elsewhere since it was opened here (Glance said: Property my_prop does not exist.): go back to it, refresh it and edit it again.',
  );
  assert.equal(e.params?.['detail'], 'Property my_prop does not exist.');
  // an upload into an image that has data keeps its own sentence
  assert.equal(
    glance(409, 'Image status transition from active to saving is not allowed', 'uploading the image data').code,
    'http.conflict-upload',
  );
});
