export declare function setFlag(flag: string): void;
export declare function flagsSet(): string;
export declare function userSetFlag(pattern: RegExp): boolean;
export declare function collectGarbage(): void;
