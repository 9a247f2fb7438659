package dev.patchtide.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import org.redline_rpm.Builder;
import org.redline_rpm.header.Architecture;
import org.redline_rpm.header.Os;
import org.redline_rpm.payload.Directive;

/** Writes a {@link PackageContent} as {@code <name>-<version>-1.x86_64.rpm} with Redline (no rpmbuild needed). */
final class RpmWriter {
    private RpmWriter() {}

    /** @param scripts {@code pre}, {@code post}, {@code preun}, {@code postun} scriptlets, as files */
    static Path write(PackageContent content, Map<String, Path> scripts, Path outDir) throws IOException {
        Builder rpm = new Builder();
        rpm.setPackage(content.name(), content.version(), "1");
        rpm.setPlatform(Architecture.X86_64, Os.LINUX);
        rpm.setSummary(content.summary());
        rpm.setDescription(content.description());
        rpm.setGroup("System Environment/Daemons");
        rpm.setLicense("Unspecified");
        rpm.setVendor("Patchtide");
        // The build machine's name would make two builds of one version differ.
        rpm.setBuildHost("patchtide-build");
        for (var script : scripts.entrySet()) {
            String text = Files.readString(script.getValue());
            switch (script.getKey()) {
                case "pre" -> rpm.setPreInstallScript(text);
                case "post" -> rpm.setPostInstallScript(text);
                case "preun" -> rpm.setPreUninstallScript(text);
                case "postun" -> rpm.setPostUninstallScript(text);
                default -> throw new IllegalArgumentException("unknown rpm scriptlet: " + script.getKey());
            }
        }
        Directive config = new Directive(Directive.RPMFILE_CONFIG | Directive.RPMFILE_NOREPLACE);
        try {
            for (PackageContent.Entry entry : content.entries()) {
                switch (entry) {
                    case PackageContent.Dir dir ->
                        rpm.addDirectory(dir.path(), dir.mode(), Directive.NONE, "root", "root", false);
                    case PackageContent.File file ->
                        rpm.addFile(
                                file.path(),
                                file.source().toFile(),
                                file.mode(),
                                -1,
                                content.conffiles().contains(file.path()) ? config : Directive.NONE,
                                "root",
                                "root",
                                false);
                }
            }
            return outDir.resolve(rpm.build(outDir.toFile()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK lacks a digest the rpm header needs", e);
        }
    }
}
