// The API's types as the web app uses them: generated from the OpenAPI document the
// server serves (`schema.ts`, by openapi-typescript from `web/openapi.json`; refresh with
// `scout openapi > web/openapi.json && npm run api-types`), so they cannot drift from
// what the server sends. A test compares `web/openapi.json` with the served document.
import type { components } from "./schema";

type Schemas = components["schemas"];

/** A problem+json body (the client also makes one for network failures). */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
}

/** An API error, with the problem+json body's stable code and its detail. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(problem: Problem) {
    super(problem.detail || problem.title || `request failed (${problem.status})`);
    this.status = problem.status;
    this.code = problem.code;
  }
}

export type Platform = Schemas["Platform"];
export type RegionOut = Schemas["RegionOut"];
export type PreviewResponse = Schemas["PreviewResponse"];
export type Audience = Schemas["Audience"];
export type Post = Schemas["Post"];
export type Rates = Schemas["Rates"];
export type Profile = Schemas["ProfileOut"];
export type Contribution = Schemas["Contribution"];
export type Explanation = Schemas["Explanation"];
export type SearchResult = Schemas["SearchResult"];
export type AudienceConstraint = Schemas["AudienceConstraint"];
/** A currency prices can be filtered in: the server's reference table. */
export type PriceCurrency = Schemas["PriceRange"]["currency"];
export type SearchFilters = Schemas["SearchFilters"];
export type PriceRange = Schemas["PriceRange"];
export type Recognised = Schemas["Recognised"];
export type RecognisedKind = Schemas["RecognisedKind"];
export type ParsedQuery = Schemas["ParsedQuery"];
export type FacetCount = Schemas["FacetCount"];
export type SearchResponse = Schemas["SearchResponse"];
export type SearchRequest = Schemas["SearchRequest"];
export type Sort = Schemas["Sort"];
export type User = Schemas["UserOut"];
export type Role = Schemas["Role"];
export type Shortlist = Schemas["ShortlistOut"];
export type ShortlistEntry = Schemas["EntryOut"];
export type ShortlistDetail = Schemas["ShortlistDetail"];
export type TokenResponse = Schemas["TokenResponse"];
export type Money = Schemas["Money"];
export type Campaign = Schemas["CampaignOut"];
export type CampaignSpec = Schemas["CampaignSpec"];
export type CampaignStatus = Schemas["CampaignStatus"];
export type DeliverableKind = Schemas["DeliverableKind"];
export type Listing = Schemas["ListingOut"];
export type MarketplacePage = Schemas["MarketplacePage"];
export type Negotiation = Schemas["NegotiationOut"];
export type ThreadEntry = Schemas["ThreadEntryOut"];
export type Terms = Schemas["Terms"];
export type TermLine = Schemas["TermLine"];
export type Contract = Schemas["ContractOut"];
export type Milestone = Schemas["MilestoneOut"];
export type Review = Schemas["ReviewOut"];
export type Rating = Schemas["Rating"];
export type Notification = Schemas["NotificationOut"];
export type Referrals = Schemas["ReferralsOut"];
export type Match = Schemas["Match"];
export type MatchResponse = Schemas["MatchResponse"];
export type Plan = Schemas["PlanOut"];
export type Claim = Schemas["ClaimOut"];
export type Balances = Schemas["Balances"];
export type Funding = Schemas["FundingOut"];
export type FundingList = Schemas["FundingList"];
export type Payout = Schemas["PayoutOut"];
export type PayoutList = Schemas["PayoutList"];
export type PayoutSettings = Schemas["PayoutSettingsOut"];
export type ContractMoney = Schemas["ContractMoney"];
export type InvoiceList = Schemas["InvoiceList"];
export type Invoice = Schemas["InvoiceOut"];
export type CreatorEarnings = Schemas["CreatorEarnings"];
export type BrandSpend = Schemas["BrandSpend"];
