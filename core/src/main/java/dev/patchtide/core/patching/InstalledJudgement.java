package dev.patchtide.core.patching;

import java.util.List;

/**
 * A host's installed packages judged without its updates ({@link PatchStates#judgeInstalled}): how many are
 * INSTALLED and INSTALLED_OTHER (counted, not listed), the verdicts of the others (pending reboot, rejected,
 * failed) in inventory order, the NOT_APPLICABLE verdicts of approved packages not installed, and the approved
 * patterns that match nothing. Kept with what it was judged from, it lets a changed update list be judged
 * without the ~1,500 installed packages ({@link PatchStates#judgeUpdates}).
 */
public record InstalledJudgement(
        int installed,
        int installedOther,
        List<PatchStateVerdict> verdicts,
        List<PatchStateVerdict> notApplicable,
        int unreportedNotApplicable) {

    public InstalledJudgement {
        verdicts = List.copyOf(verdicts);
        notApplicable = List.copyOf(notApplicable);
    }

    /** How many installed packages were judged: each is counted or has a verdict, never both. */
    public int packages() {
        return installed + installedOther + verdicts.size();
    }
}
