// SPF (RFC 7208): record parsing, macro expansion, check_host() evaluation and an
// address-independent lint whose result is the Contract's email.spf object plus findings-ready
// issues. All DNS goes through an injected SpfDns function (see dns.ts).
export { checkHost, isQueryableName, isValidSpfDomain } from './evaluate.js';
export type { CheckHostInput, CheckHostOptions, CheckHostResult, SpfResultCode } from './evaluate.js';
export { lintSpf, toContractSpf } from './lint.js';
export type { SpfIssue, SpfLintOptions, SpfLintResult, SpfStatus, SpfTreeNode } from './lint.js';
export {
  checkDomainSpec,
  countsTowardLookupLimit,
  isTopLabel,
  MAX_SPF_TEXT,
  isSpfRecordText,
  parseSpfRecord,
  selectSpfRecord,
} from './parse.js';
export type { Mechanism, MechanismKind, Modifier, ParseResult, Qualifier, SpfRecord, SpfTerm } from './parse.js';
export { expandDomainSpec, expandExplanation, finishDomain, parseMacroString, urlEscape } from './macro.js';
export type { MacroContext, MacroItem } from './macro.js';
export { createMemoryDns, spfDnsFromResolver } from './dns.js';
export type { MemoryDns, MemoryRecord, MemoryZone, SpfDns, SpfDnsType } from './dns.js';
