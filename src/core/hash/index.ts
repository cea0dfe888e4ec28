export * from './image-hasher.ts';
