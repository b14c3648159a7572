// Invoices and receipts the caller may read (a brand's, in its sequence; a creator's, about
// their work), each downloadable as a PDF.
import { send, type InvoiceList } from "../api";
import { Alert } from "../ui/Alert";
import { useAction, useLoaded } from "../ui/hooks";
import { date, exactMoney, title } from "../ui/format";
import { TableRegion } from "../ui/TableRegion";

export function Invoices() {
  const { data, error } = useLoaded("/v1/invoices?limit=50", (r: InvoiceList) => r.invoices);
  const download = useAction();
  if (error) return <Alert>{error}</Alert>;
  if (!data) return null;
  return (
    <>
      <h2>Invoices and receipts</h2>
      {data.length === 0 ? (
        <p class="muted">None yet: a receipt comes with each payment in, an invoice with each released milestone.</p>
      ) : (
        <TableRegion label="Invoices and receipts">
          <table>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Kind</th>
                <th scope="col">Issued</th>
                <th scope="col">Total</th>
                <th scope="col">PDF</th>
              </tr>
            </thead>
            <tbody>
              {data.map((i) => (
                <tr key={i.id}>
                  <td>{i.number}</td>
                  <td>{title(i.kind)}</td>
                  <td>{date(i.issued_at)}</td>
                  <td>{exactMoney(i.total.amount_minor, i.total.currency)}</td>
                  <td>
                    <button
                      class="link"
                      disabled={download.busy}
                      onClick={() =>
                        download.run(async () => {
                          const res = await send("GET", `/v1/invoices/${i.id}/invoice.pdf`);
                          const url = URL.createObjectURL(await res.blob());
                          const a = document.createElement("a");
                          a.href = url;
                          a.download = `scout-${i.number.toLowerCase()}.pdf`;
                          a.click();
                          setTimeout(() => URL.revokeObjectURL(url), 60_000);
                        })
                      }
                    >
                      Download {i.number}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {download.error && <Alert>{download.error}</Alert>}
    </>
  );
}
