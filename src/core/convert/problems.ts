// Why a conversion's choices cannot run: a stable code the page words per language, an English
// sentence (the CLI prints it) and the parameters both need.
export type ConvertProblemCode =
  | 'bad-value'
  | 'compress-unsupported'
  | 'compress-flat-vmdk'
  | 'compress-preallocation'
  | 'zstd-unavailable'
  | 'compat-lazy-refcounts'
  | 'compat-compression-type'
  | 'cluster-size'
  | 'block-size'
  | 'hwversion-compat6';

export interface ConvertProblem {
  code: ConvertProblemCode;
  message: string;
  params: Record<string, string | number>;
}

export function problem(code: ConvertProblemCode, message: string, params: Record<string, string | number> = {}): ConvertProblem {
  return { code, message, params };
}
