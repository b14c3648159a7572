//! Evaluation metrics for probabilistic classifiers, and the calibration plot.

/// Area under the ROC curve (Mann–Whitney U, ties counted half).
pub fn auc(scores: &[f64], labels: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    // Average ranks over ties.
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            ranks[order[k]] = rank;
        }
        i = j + 1;
    }
    let positives = labels.iter().filter(|l| **l).count() as f64;
    let negatives = labels.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return f64::NAN;
    }
    let rank_sum: f64 = ranks.iter().zip(labels).filter(|(_, l)| **l).map(|(r, _)| r).sum();
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    pub lo: f64,
    pub hi: f64,
    pub count: usize,
    pub mean_predicted: f64,
    pub observed: f64,
}

/// Equal-width probability bins.
pub fn reliability(probs: &[f64], labels: &[bool], bins: usize) -> Vec<Bin> {
    let mut sums = vec![(0usize, 0.0f64, 0usize); bins];
    for (p, l) in probs.iter().zip(labels) {
        let b = ((p * bins as f64) as usize).min(bins - 1);
        sums[b].0 += 1;
        sums[b].1 += p;
        sums[b].2 += usize::from(*l);
    }
    sums.iter()
        .enumerate()
        .map(|(i, (n, sum, pos))| Bin {
            lo: i as f64 / bins as f64,
            hi: (i + 1) as f64 / bins as f64,
            count: *n,
            mean_predicted: if *n > 0 { sum / *n as f64 } else { f64::NAN },
            observed: if *n > 0 { *pos as f64 / *n as f64 } else { f64::NAN },
        })
        .collect()
}

/// Expected calibration error over 10 equal-width bins: the count-weighted
/// mean gap between predicted and observed frequency.
pub fn ece(probs: &[f64], labels: &[bool]) -> f64 {
    let n = probs.len() as f64;
    reliability(probs, labels, 10)
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| b.count as f64 / n * (b.mean_predicted - b.observed).abs())
        .sum()
}

/// Mean squared error of the probabilities.
pub fn brier(probs: &[f64], labels: &[bool]) -> f64 {
    probs.iter().zip(labels).map(|(p, l)| (p - f64::from(u8::from(*l))).powi(2)).sum::<f64>() / probs.len() as f64
}

/// Mean negative log-likelihood.
pub fn log_loss(probs: &[f64], labels: &[bool]) -> f64 {
    probs
        .iter()
        .zip(labels)
        .map(|(p, l)| {
            let p = p.clamp(1e-12, 1.0 - 1e-12);
            if *l { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum::<f64>()
        / probs.len() as f64
}

/// A reliability diagram as SVG: one line per model (name, bins), the
/// diagonal of perfect calibration, and bin counts as bars underneath.
pub fn calibration_svg(title: &str, models: &[(&str, Vec<Bin>)]) -> String {
    let (w, h, m) = (520.0, 560.0, 60.0);
    let plot = 400.0;
    let x = |p: f64| m + p * plot;
    let y = |p: f64| m + plot - p * plot;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{m}\" y=\"30\" font-size=\"15\" font-weight=\"bold\">{}</text>\n",
        escape(title)
    );
    s.push_str(&format!(
        "<rect x=\"{m}\" y=\"{m}\" width=\"{plot}\" height=\"{plot}\" fill=\"none\" stroke=\"#888\"/>\n\
         <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n",
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0)
    ));
    for t in 0..=5 {
        let v = t as f64 / 5.0;
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v:.1}</text>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v:.1}</text>\n",
            x(v),
            y(0.0) + 16.0,
            x(0.0) - 6.0,
            y(v) + 4.0
        ));
    }
    s.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">predicted probability</text>\n\
         <text x=\"16\" y=\"{:.1}\" transform=\"rotate(-90 16 {:.1})\" text-anchor=\"middle\">observed frequency</text>\n",
        x(0.5),
        y(0.0) + 34.0,
        y(0.5),
        y(0.5)
    ));
    let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    for (k, (name, bins)) in models.iter().enumerate() {
        let colour = colours[k % colours.len()];
        let points: Vec<String> = bins
            .iter()
            .filter(|b| b.count > 0)
            .map(|b| format!("{:.1},{:.1}", x(b.mean_predicted), y(b.observed)))
            .collect();
        s.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>\n",
            points.join(" ")
        ));
        for b in bins.iter().filter(|b| b.count > 0) {
            s.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"/>\n",
                x(b.mean_predicted),
                y(b.observed)
            ));
        }
        let ly = h - 40.0 + k as f64 * 16.0;
        s.push_str(&format!(
            "<rect x=\"{m}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
            ly - 10.0,
            m + 18.0,
            ly,
            escape(name)
        ));
    }
    s.push_str("</svg>\n");
    s
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_known_orderings() {
        let labels = [false, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &labels), 1.0);
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &labels), 0.0);
        assert_eq!(auc(&[0.5, 0.5, 0.5, 0.5], &labels), 0.5, "ties count half");
        assert!((auc(&[0.1, 0.6, 0.5, 0.9], &labels) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn calibration_measures() {
        // Predicting 0.25 where a quarter are positive: calibrated.
        let labels = [true, false, false, false];
        assert!(ece(&[0.25; 4], &labels) < 1e-12);
        assert!((ece(&[0.75; 4], &labels) - 0.5).abs() < 1e-12);
        assert!((brier(&[1.0, 0.0, 0.0, 0.0], &labels)).abs() < 1e-12);
        assert!(log_loss(&[0.5; 4], &labels) > log_loss(&[0.25; 4], &labels));
        let svg = calibration_svg("t", &[("m", reliability(&[0.25; 4], &labels, 10))]);
        assert!(svg.starts_with("<svg") && svg.contains("<polyline"));
    }
}
