//! Recurring incidents without a problem: a warning on the latest
//! incident of each problem candidate ([`crate::problem_candidates`]).

use crate::diagnostic::Diagnostic;
use crate::policy::Policy;
use crate::records::Loaded;

pub(super) fn check(config: &Policy, loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let found = crate::problem_candidates::candidates(loaded.records().map(|(_, r)| r), config);
    for c in found {
        let Some(last) = c.incidents.last() else {
            continue;
        };
        let Some((file, _)) = loaded.find(last) else {
            continue;
        };
        out.push(
            Diagnostic::warning(
                "problem-candidate",
                format!(
                    "{} incidents within {} days share {} and have no problem: {}",
                    c.incidents.len(),
                    config.problem_candidates.window_days,
                    c.shared.describe(),
                    c.incidents.join(", ")
                ),
            )
            .at(&file.path, file.id_pos)
            .with_hint(format!(
                "open a problem for them: `gitsm new problem --from {}`",
                c.incidents.join(",")
            )),
        );
    }
}
