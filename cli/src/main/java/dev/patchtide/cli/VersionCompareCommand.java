package dev.patchtide.cli;

import dev.patchtide.core.version.DebianVersion;
import dev.patchtide.core.version.InvalidVersionException;
import dev.patchtide.core.version.RpmVersion;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows how Patchtide orders two package versions, so an admin can see why one counts as newer. */
@Command(
        name = "version-compare",
        mixinStandardHelpOptions = true,
        description = "Print -1, 0 or 1 as version A is older than, equal to or newer than B"
                + " (deb: as dpkg --compare-versions; rpm: as rpm's rpmvercmp).")
final class VersionCompareCommand implements Callable<Integer> {
    enum Scheme {
        deb,
        rpm
    }

    @Parameters(index = "0", description = "deb or rpm")
    Scheme scheme;

    @Parameters(index = "1", paramLabel = "A")
    String a;

    @Parameters(index = "2", paramLabel = "B")
    String b;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        int result;
        try {
            result = switch (scheme) {
                case deb -> DebianVersion.compare(a, b);
                case rpm -> RpmVersion.compare(a, b);
            };
        } catch (InvalidVersionException e) {
            // Exit 2 as dpkg --compare-versions does for a version it refuses.
            spec.commandLine().getErr().println("patchtide: " + e.getMessage());
            return 2;
        }
        spec.commandLine().getOut().println(Integer.signum(result));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
