export * from './image-hasher.ts';
export * from './file-digests.ts';
