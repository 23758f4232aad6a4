/**
 * Declarations openapi-typescript parses from strings and appends (`WithRequired`, the
 * `readWriteMarkers` helpers), keyed by what TypeScript prints for them, to prettier 3's
 * formatting of that text (test/types-printer.test.ts checks every entry against prettier).
 */
export const KNOWN_DECLARATIONS: Readonly<Record<string, string>> = {
  [`type WithRequired<T, K extends keyof T> = T & {
    [P in K]-?: T[P];
};`]:
    `type WithRequired<T, K extends keyof T> = T & {
  [P in K]-?: T[P];
};`,
  [`export type $Read<T> = {
    readonly $read: T;
};`]:
    `export type $Read<T> = {
  readonly $read: T;
};`,
  [`export type $Write<T> = {
    readonly $write: T;
};`]:
    `export type $Write<T> = {
  readonly $write: T;
};`,
  [`export type Readable<T> = T extends $Write<any> ? never : T extends $Read<infer U> ? Readable<U> : T extends (infer E)[] ? Readable<E>[] : T extends object ? {
    [K in keyof T as NonNullable<T[K]> extends $Write<any> ? never : K]: Readable<T[K]>;
} : T;`]:
    `export type Readable<T> =
  T extends $Write<any>
    ? never
    : T extends $Read<infer U>
      ? Readable<U>
      : T extends (infer E)[]
        ? Readable<E>[]
        : T extends object
          ? {
              [K in keyof T as NonNullable<T[K]> extends $Write<any> ? never : K]: Readable<T[K]>;
            }
          : T;`,
  [`export type Writable<T> = T extends $Read<any> ? never : T extends $Write<infer U> ? Writable<U> : T extends (infer E)[] ? Writable<E>[] : T extends object ? {
    [K in keyof T as NonNullable<T[K]> extends $Read<any> ? never : K]: Writable<T[K]>;
} & {
    [K in keyof T as NonNullable<T[K]> extends $Read<any> ? K : never]?: never;
} : T;`]:
    `export type Writable<T> =
  T extends $Read<any>
    ? never
    : T extends $Write<infer U>
      ? Writable<U>
      : T extends (infer E)[]
        ? Writable<E>[]
        : T extends object
          ? {
              [K in keyof T as NonNullable<T[K]> extends $Read<any> ? never : K]: Writable<T[K]>;
            } & {
              [K in keyof T as NonNullable<T[K]> extends $Read<any> ? K : never]?: never;
            }
          : T;`,
};
