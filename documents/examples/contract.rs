//! Writes a sample signed contract as a PDF, to look at the layout:
//! `cargo run -p scout-documents --example contract -- /tmp/contract.pdf`.

use scout_documents::{ContractDocument, SignatureLine, contract_pdf};

fn main() -> std::io::Result<()> {
    let out = std::env::args().nth(1).unwrap_or_else(|| "contract.pdf".into());
    let text = "Scout creator agreement (2026-12-v1)\n\nBrand: Verdant Oats\nCreator: Mara Lindqvist\nCampaign: Winter porridge recipes\n\n1. Work and payment. The creator makes, and the brand pays for, the following milestones:\n   1. 2 × reel on instagram: 760.00 EUR, due 2026-11-07\n   2. 3 × story: 270.00 EUR, due 2026-12-09\n   Total: 1,030.00 EUR. The brand places the total in escrow with Scout once both parties have signed.\n2. Review. The brand approves a submitted milestone or asks for a revision within 7 days; a milestone left without an answer for 7 days is approved, and its amount is released to the creator.\n3. Usage rights. The brand may use the content for reposting on the brand's own channels for 6 months from delivery.\n4. Exclusivity. The creator works for no competitor of the brand for 30 days after the last delivery.\n5. Disputes. Either party may dispute a milestone; its amount stays in escrow until a Scout administrator releases it to the creator or refunds it to the brand. The rest of the work goes on.\n6. Cancellation. Either party may cancel before any work is submitted; the escrow is refunded to the brand. After that, only a Scout administrator cancels, refunding what was not released.\n";
    let doc = ContractDocument {
        title: "Contract 3: Winter porridge recipes",
        text,
        terms_version: "2026-12-v1",
        terms_hash: "5b1e3c0f9a2d4e6b8c7a9f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4",
        status: "completed",
        signatures: vec![
            SignatureLine {
                side: "brand",
                name: "Verdant Oats",
                at: "2026-12-06 19:40 UTC",
                address: Some("203.0.113.9"),
            },
            SignatureLine {
                side: "creator",
                name: "Mara Lindqvist",
                at: "2026-12-06 19:41 UTC",
                address: Some("198.51.100.23"),
            },
        ],
    };
    std::fs::write(out, contract_pdf(&doc))
}
