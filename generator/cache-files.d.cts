export declare function keepNewest(dir: string, prefix: string, suffix: string, keep: number): void;
export declare function markUsed(file: string): void;
