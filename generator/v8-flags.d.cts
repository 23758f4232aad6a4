export declare function setFlag(flag: string): void;
export declare function flagsSet(): string;
