import { isUtf8 } from 'node:buffer';
import { LogFileError, LogFileErrorReason } from '../core/log-file-error.ts';
import type { RecordText } from '../core/record-text.ts';
import { findStringEnd, STRING_CONTINUES_ESCAPED } from './find-string-end.ts';

export interface RecordsSplitterOptions {
  /** Larger elements fail the file instead of growing memory without bound. */
  readonly maxRecordBytes?: number;
  /** Deeper nesting fails the file; real CloudTrail events nest about 11 levels. */
  readonly maxDepth?: number;
  /**
   * A longer top-level key name fails the file: the name is held in memory until its closing quote,
   * and a CloudTrail file's only top-level key is `Records`.
   */
  readonly maxRootKeyBytes?: number;
}

/** CloudTrail caps an event at 256 KB; this leaves room for anything plausible. */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 512;
export const DEFAULT_MAX_ROOT_KEY_BYTES = 1024;

const QUOTE = 0x22;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];
const CR = 0x0d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** Integers of up to 15 digits are exact doubles; longer ones may not be. */
const MAX_PLAIN_DIGITS = 15;

const State = {
  BeforeRoot: 0,
  RootKeyOrEnd: 1,
  RootKey: 2,
  RootKeyText: 3,
  RootColon: 4,
  RootValue: 5,
  SkipContainer: 6,
  SkipString: 7,
  SkipScalar: 8,
  RootAfterValue: 9,
  RecordOrEnd: 10,
  Record: 11,
  RecordAfter: 12,
  AfterRoot: 13,
} as const;
type State = (typeof State)[keyof typeof State];

const RECORDS_KEY = 'Records';
/** Top-level keys of a CloudTrail digest file; seeing one (and no Records) marks the file as a digest. */
const DIGEST_KEYS = new Set([
  'digestStartTime',
  'digestEndTime',
  'digestS3Object',
  'digestSignatureAlgorithm',
]);

/** A top-level key's text between its quotes, unescaped (`"Rec\u006frds"` is `Records` too). */
function decodeKey(raw: string): string | undefined {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

function isWhitespace(byte: number): boolean {
  return byte === SPACE || byte === LF || byte === CR || byte === TAB;
}

/**
 * Splits a CloudTrail log file (`{"Records":[{...}, ...]}`) into the source text of each record while
 * its bytes arrive, holding at most one record and one chunk. Other top-level keys are skipped.
 *
 * Only the structure is checked here (strings, escapes, bracket nesting); each record's own JSON is
 * validated by whoever parses it. Feed chunks with `push`, then call `finish` at end of input.
 * Problems throw a `LogFileError` that names the file and the byte offset.
 */
export class RecordsSplitter {
  readonly #file: string;
  readonly #maxRecordBytes: number;
  readonly #maxDepth: number;
  readonly #maxRootKeyBytes: number;
  #state: State = State.BeforeRoot;
  /** Decompressed bytes consumed before the current chunk. */
  #consumed = 0;
  #sawAnyByte = false;
  #sawRecords = false;
  #sawDigestKey = false;
  /** Whether a comma was just read, so a closing bracket is not allowed. */
  #afterComma = false;
  /** Inside a string, the previous byte was an unescaped backslash (possibly in the previous chunk). */
  #pendingEscape = false;
  /** The chunk ended inside a string of the container being scanned. */
  #inString = false;
  /** How many bytes of a UTF-8 byte order mark the file began with. */
  #bomBytes = 0;
  /** Open brackets of the value being scanned: 1 for `{`, 2 for `[`. */
  #stack: Uint8Array;
  #depth = 0;
  #rootKey: Buffer[] = [];
  #rootKeyBytes = 0;
  #currentKey: string | undefined = '';
  #parts: Buffer[] = [];
  #partsBytes = 0;
  #recordStart = 0;
  #recordNumber = 0;
  /**
   * The record being scanned has a number that `JSON.parse` may change: one with a fraction, an
   * exponent, more than 15 digits, or `-0`. Found on the way, since the scan visits every byte outside
   * strings anyway; what it has not flagged needs no exact-number scan of its text (see `RecordText`).
   */
  #suspectNumber = false;
  /** Digits in a row outside strings, so far (a number may continue in the next chunk). */
  #digits = 0;
  /** The previous byte outside strings was `-`. */
  #afterMinus = false;

  constructor(file: string, options: RecordsSplitterOptions = {}) {
    this.#file = file;
    this.#maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#maxRootKeyBytes = options.maxRootKeyBytes ?? DEFAULT_MAX_ROOT_KEY_BYTES;
    this.#stack = new Uint8Array(this.#maxDepth + 1);
  }

  /** Number of records found so far. */
  get recordCount(): number {
    return this.#recordNumber;
  }

  /** Bytes consumed so far. */
  get bytesRead(): number {
    return this.#consumed;
  }

  /** Consumes one chunk and returns the records it completed, in order. */
  push(chunk: Buffer): RecordText[] {
    const out: RecordText[] = [];
    const len = chunk.length;
    let i = 0;
    let captureStart = this.#state === State.Record ? 0 : -1;
    if (len > 0) this.#sawAnyByte = true;
    while (i < len) {
      switch (this.#state) {
        case State.Record: {
          const end = this.#scanContainer(chunk, i);
          if (end < 0) {
            i = len;
            break;
          }
          out.push(this.#completeRecord(chunk, captureStart, end));
          captureStart = -1;
          this.#state = State.RecordAfter;
          i = end;
          break;
        }
        case State.RecordAfter: {
          const b = chunk[i]!;
          if (b === COMMA) {
            this.#state = State.RecordOrEnd;
            this.#afterComma = true;
          } else if (b === RBRACKET) {
            this.#state = State.RootAfterValue;
          } else if (!isWhitespace(b)) {
            throw this.#error(`expected ',' or ']' after record ${this.#recordNumber}`, i, 'invalid-json');
          }
          i++;
          break;
        }
        case State.RecordOrEnd: {
          const b = chunk[i]!;
          if (b === LBRACE) {
            this.#recordNumber++;
            this.#recordStart = this.#consumed + i;
            this.#parts = [];
            this.#partsBytes = 0;
            this.#suspectNumber = false;
            this.#digits = 0;
            this.#afterMinus = false;
            captureStart = i;
            this.#depth = 1;
            this.#stack[1] = 1;
            this.#afterComma = false;
            this.#state = State.Record;
          } else if (b === RBRACKET && !this.#afterComma) {
            this.#state = State.RootAfterValue;
          } else if (b === RBRACKET) {
            throw this.#error(
              `a trailing comma after record ${this.#recordNumber} in "Records"`,
              i,
              'invalid-json',
            );
          } else if (!isWhitespace(b)) {
            throw this.#error(`record ${this.#recordNumber + 1} is not a JSON object`, i, 'not-cloudtrail');
          }
          i++;
          break;
        }
        default:
          i = this.#pushStructure(chunk, i);
      }
    }
    if (captureStart >= 0) {
      // The record continues in the next chunk: keep its part of this one.
      const part = chunk.subarray(captureStart);
      this.#parts.push(part);
      this.#partsBytes += part.length;
      if (this.#partsBytes > this.#maxRecordBytes) {
        throw this.#error(
          `record ${this.#recordNumber} is larger than ${this.#maxRecordBytes} bytes`,
          len,
          'record-too-large',
        );
      }
    }
    this.#consumed += len;
    return out;
  }

  /** Signals end of input: throws if the file ended anywhere but after its root object. */
  finish(): void {
    if (this.#state === State.AfterRoot) return;
    const at = this.#consumed;
    if (!this.#sawAnyByte || this.#state === State.BeforeRoot) {
      throw new LogFileError('the file is empty', { file: this.#file, reason: LogFileErrorReason.Empty });
    }
    if (this.#state === State.Record) {
      throw new LogFileError(`the file is truncated: it ends inside record ${this.#recordNumber}`, {
        file: this.#file,
        reason: LogFileErrorReason.Truncated,
        byteOffset: at,
        recordNumber: this.#recordNumber,
      });
    }
    throw new LogFileError('the file is truncated: its JSON ends early', {
      file: this.#file,
      reason: LogFileErrorReason.Truncated,
      byteOffset: at,
    });
  }

  /** The closing quote of the string continuing at `from`, or < 0 (escape state kept) if the chunk ends first. */
  #stringEnd(chunk: Buffer, from: number): number {
    const end = findStringEnd(chunk, from, this.#pendingEscape);
    this.#pendingEscape = end === STRING_CONTINUES_ESCAPED;
    return end;
  }

  /**
   * Scans the container open at `#depth` (a record, or a top-level value that is skipped) from `from`:
   * the one bracket-matching loop, and the hot one, since records pass through it byte by byte, with
   * strings skipped by a native search. Returns the index just past the bracket that closes it, or -1
   * when the chunk ends first (the depth, the bracket stack and an open string carry over).
   */
  #scanContainer(chunk: Buffer, from: number): number {
    const len = chunk.length;
    let i = from;
    if (this.#inString) {
      const end = this.#stringEnd(chunk, i);
      if (end < 0) return -1;
      this.#inString = false;
      i = end + 1;
    }
    let depth = this.#depth;
    const stack = this.#stack;
    let digits = this.#digits;
    let afterMinus = this.#afterMinus;
    let suspect = this.#suspectNumber;
    for (; i < len; i++) {
      const b = chunk[i]!;
      if (b === QUOTE) {
        digits = 0;
        afterMinus = false;
        const end = this.#stringEnd(chunk, i + 1);
        if (end < 0) {
          this.#inString = true;
          break;
        }
        i = end;
      } else if (b >= DIGIT_0 && b <= DIGIT_9) {
        if (++digits > MAX_PLAIN_DIGITS || (afterMinus && b === DIGIT_0)) suspect = true;
        afterMinus = false;
      } else if (b === LBRACE || b === LBRACKET) {
        if (depth >= this.#maxDepth) {
          throw this.#error(`JSON nests deeper than ${this.#maxDepth} levels`, i, 'invalid-json');
        }
        stack[++depth] = b === LBRACE ? 1 : 2;
        digits = 0;
        afterMinus = false;
      } else if (b === RBRACE || b === RBRACKET) {
        if (stack[depth] !== (b === RBRACE ? 1 : 2)) {
          throw this.#error(`unexpected '${String.fromCharCode(b)}'`, i, 'invalid-json');
        }
        digits = 0;
        afterMinus = false;
        if (--depth === 0) {
          this.#depth = 0;
          this.#digits = 0;
          this.#afterMinus = false;
          this.#suspectNumber = suspect;
          return i + 1;
        }
      } else {
        // Outside strings, `.` and `E` occur only in numbers, and `e` after a digit only in an exponent
        // (`true` and `false` have theirs after a letter).
        if (b === DOT || b === UPPER_E || (b === LOWER_E && digits > 0)) suspect = true;
        digits = 0;
        afterMinus = b === MINUS;
      }
    }
    this.#depth = depth;
    this.#digits = digits;
    this.#afterMinus = afterMinus;
    this.#suspectNumber = suspect;
    return -1;
  }

  #completeRecord(chunk: Buffer, captureStart: number, end: number): RecordText {
    let bytes: Buffer;
    if (this.#parts.length === 0) {
      bytes = chunk.subarray(captureStart, end);
    } else {
      this.#parts.push(chunk.subarray(0, end));
      bytes = Buffer.concat(this.#parts);
      this.#parts = [];
      this.#partsBytes = 0;
    }
    if (bytes.length > this.#maxRecordBytes) {
      throw this.#error(
        `record ${this.#recordNumber} is larger than ${this.#maxRecordBytes} bytes`,
        end,
        'record-too-large',
      );
    }
    // Decoding would quietly turn invalid bytes into U+FFFD, changing a value: refuse them instead.
    if (!isUtf8(bytes)) {
      throw new LogFileError(`record ${this.#recordNumber} is not valid UTF-8 text`, {
        file: this.#file,
        reason: LogFileErrorReason.InvalidJson,
        byteOffset: this.#recordStart,
        recordNumber: this.#recordNumber,
      });
    }
    return {
      text: bytes.toString('utf8'),
      recordNumber: this.#recordNumber,
      byteOffset: this.#recordStart,
      plainNumbers: !this.#suspectNumber,
    };
  }

  /** The cold states: the root object, its keys, and values other than `Records`. Returns the next index. */
  #pushStructure(chunk: Buffer, start: number): number {
    const i = start;
    const b = chunk[i]!;
    switch (this.#state) {
      case State.BeforeRoot:
        if (this.#consumed + i === this.#bomBytes && b === BOM[this.#bomBytes]) {
          // A UTF-8 byte order mark is not JSON, but harmless: skip it, all three bytes of it.
          this.#bomBytes++;
          return i + 1;
        }
        if (this.#bomBytes > 0 && this.#bomBytes < BOM.length) {
          throw this.#error('the file starts with an incomplete UTF-8 byte order mark', i, 'invalid-json');
        }
        if (b === LBRACE) {
          this.#state = State.RootKeyOrEnd;
          this.#afterComma = false;
        } else if (!isWhitespace(b)) {
          throw this.#error(
            b === LBRACKET
              ? 'not a CloudTrail log file: the JSON is an array, expected {"Records":[...]}'
              : 'not a CloudTrail log file: expected a JSON object',
            i,
            b === LBRACKET ? 'not-cloudtrail' : 'invalid-json',
          );
        }
        return i + 1;
      case State.RootKeyOrEnd:
      case State.RootKey:
        if (b === QUOTE) {
          this.#rootKey = [];
          this.#rootKeyBytes = 0;
          this.#state = State.RootKeyText;
          return i + 1;
        }
        if (b === RBRACE && this.#state === State.RootKeyOrEnd && !this.#afterComma) {
          this.#endRoot(i);
          return i + 1;
        }
        if (!isWhitespace(b)) throw this.#error('expected a key in the top-level object', i, 'invalid-json');
        return i + 1;
      case State.RootKeyText: {
        const end = this.#stringEnd(chunk, i);
        const part = chunk.subarray(i, end < 0 ? chunk.length : end);
        this.#rootKeyBytes += part.length;
        if (this.#rootKeyBytes > this.#maxRootKeyBytes) {
          throw this.#error(
            `not a CloudTrail log file: a top-level key name is longer than ${this.#maxRootKeyBytes} bytes`,
            i,
            'not-cloudtrail',
          );
        }
        this.#rootKey.push(part);
        if (end < 0) return chunk.length;
        this.#currentKey = decodeKey(Buffer.concat(this.#rootKey).toString('utf8'));
        this.#rootKey = [];
        if (this.#currentKey === undefined)
          throw this.#error('invalid key in the top-level object', end, 'invalid-json');
        if (DIGEST_KEYS.has(this.#currentKey)) this.#sawDigestKey = true;
        this.#state = State.RootColon;
        return end + 1;
      }
      case State.RootColon:
        if (b === COLON) this.#state = State.RootValue;
        else if (!isWhitespace(b)) throw this.#error("expected ':' after a key", i, 'invalid-json');
        return i + 1;
      case State.RootValue:
        if (isWhitespace(b)) return i + 1;
        if (this.#currentKey === RECORDS_KEY) {
          if (this.#sawRecords) throw this.#error('the "Records" key appears twice', i, 'not-cloudtrail');
          this.#sawRecords = true;
          if (b !== LBRACKET) throw this.#error('"Records" is not an array', i, 'not-cloudtrail');
          this.#state = State.RecordOrEnd;
          this.#afterComma = false;
          return i + 1;
        }
        if (b === QUOTE) {
          this.#state = State.SkipString;
          return i + 1;
        }
        if (b === LBRACE || b === LBRACKET) {
          this.#depth = 1;
          this.#stack[1] = b === LBRACE ? 1 : 2;
          this.#state = State.SkipContainer;
          return i + 1;
        }
        if (b === RBRACE || b === RBRACKET || b === COMMA || b === COLON) {
          throw this.#error('expected a value', i, 'invalid-json');
        }
        this.#state = State.SkipScalar;
        return i + 1;
      case State.SkipString: {
        const end = this.#stringEnd(chunk, i);
        if (end < 0) return chunk.length;
        this.#state = State.RootAfterValue;
        return end + 1;
      }
      case State.SkipScalar:
        if (b === COMMA || b === RBRACE || isWhitespace(b)) {
          this.#state = State.RootAfterValue;
          return i;
        }
        if (b === QUOTE || b === COLON || b === LBRACE || b === LBRACKET || b === RBRACKET) {
          throw this.#error(`unexpected '${String.fromCharCode(b)}'`, i, 'invalid-json');
        }
        return i + 1;
      case State.SkipContainer: {
        const end = this.#scanContainer(chunk, i);
        if (end < 0) return chunk.length;
        this.#state = State.RootAfterValue;
        return end;
      }
      case State.RootAfterValue:
        if (b === COMMA) {
          this.#state = State.RootKey;
          this.#afterComma = true;
        } else if (b === RBRACE) {
          this.#endRoot(i);
        } else if (!isWhitespace(b)) {
          throw this.#error("expected ',' or '}' in the top-level object", i, 'invalid-json');
        }
        return i + 1;
      case State.AfterRoot:
        if (!isWhitespace(b)) {
          throw this.#error('unexpected data after the top-level JSON object', i, 'invalid-json');
        }
        return i + 1;
      default:
        throw new Error(`unreachable splitter state ${this.#state}`);
    }
  }

  #endRoot(i: number): void {
    this.#state = State.AfterRoot;
    if (this.#sawRecords) return;
    if (this.#sawDigestKey) {
      throw this.#error('a CloudTrail digest file, not a log file', i, 'digest-file');
    }
    throw this.#error(
      'not a CloudTrail log file: the top-level object has no "Records" array',
      i,
      'not-cloudtrail',
    );
  }

  #error(detail: string, index: number, reason: LogFileErrorReason): LogFileError {
    const inRecord = this.#state === State.Record || this.#state === State.RecordAfter;
    return new LogFileError(detail, {
      file: this.#file,
      reason,
      byteOffset: this.#consumed + index,
      recordNumber: inRecord ? this.#recordNumber : undefined,
    });
  }
}
