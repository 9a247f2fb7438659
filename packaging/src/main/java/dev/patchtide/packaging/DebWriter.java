package dev.patchtide.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vafer.jdeb.Console;
import org.vafer.jdeb.DataProducer;
import org.vafer.jdeb.DebMaker;
import org.vafer.jdeb.PackagingException;
import org.vafer.jdeb.mapping.Mapper;
import org.vafer.jdeb.mapping.PermMapper;
import org.vafer.jdeb.producers.DataProducerFile;
import org.vafer.jdeb.producers.DataProducerPathTemplate;

/** Writes a {@link PackageContent} as {@code <name>_<version>_amd64.deb} with jdeb (no dpkg-deb needed). */
final class DebWriter {
    private DebWriter() {}

    /**
     * @param scripts maintainer scripts by name ({@code postinst}, {@code prerm}, {@code postrm}), as files
     */
    static Path write(PackageContent content, Map<String, Path> scripts, Path work, Path outDir) throws IOException {
        Path control = work.resolve("deb-control-" + content.name());
        RuntimeImage.deleteTree(control);
        Files.createDirectories(control);
        Files.writeString(
                control.resolve("control"),
                "Package: " + content.name() + "\n"
                        + "Version: " + content.version() + "\n"
                        + "Architecture: amd64\n"
                        + "Maintainer: Patchtide <patchtide@localhost>\n"
                        + "Section: admin\n"
                        + "Priority: optional\n"
                        + "Description: " + content.summary() + "\n"
                        + content.description()
                                .lines()
                                .map(l -> l.isBlank() ? " ." : " " + l)
                                .reduce("", (a, b) -> a + b + "\n"));
        for (var script : scripts.entrySet()) {
            Path target = control.resolve(script.getKey());
            Files.copy(script.getValue(), target);
        }
        if (!content.conffiles().isEmpty()) {
            Files.writeString(control.resolve("conffiles"), String.join("\n", content.conffiles()) + "\n");
        }
        List<DataProducer> data = new ArrayList<>();
        List<DataProducer> conffiles = new ArrayList<>();
        for (PackageContent.Entry entry : content.entries()) {
            Mapper[] owner = {new PermMapper(0, 0, "root", "root", entry.mode(), entry.mode(), 0, "")};
            switch (entry) {
                case PackageContent.Dir dir ->
                    data.add(new DataProducerPathTemplate(new String[] {dir.path()}, null, null, owner));
                case PackageContent.File file -> {
                    // jdeb stamps entries with the time of writing; the agent's class archive is valid only
                    // with its jar's own time (ClassArchive), so every file keeps its source's
                    long modified = Files.getLastModifiedTime(file.source()).toMillis();
                    Mapper[] mappers = {
                        owner[0],
                        e -> {
                            e.setModTime(modified);
                            return e;
                        }
                    };
                    DataProducer producer =
                            new DataProducerFile(file.source().toFile(), file.path(), null, null, mappers);
                    // jdeb lists a conffile producer in conffiles only: it goes in the data as well
                    data.add(producer);
                    if (content.conffiles().contains(file.path())) {
                        conffiles.add(producer);
                    }
                }
            }
        }
        Path deb = outDir.resolve(content.name() + "_" + content.version() + "_amd64.deb");
        DebMaker maker = new DebMaker(new QuietConsole(), data, conffiles);
        maker.setControl(control.toFile());
        maker.setDeb(deb.toFile());
        maker.setCompression("gzip");
        try {
            maker.validate();
            maker.makeDeb();
        } catch (PackagingException e) {
            throw new IOException("cannot write " + deb.getFileName() + ": " + e.getMessage(), e);
        }
        return deb;
    }

    /** jdeb talks about every file; the build shows warnings only. */
    private static final class QuietConsole implements Console {
        @Override
        public void debug(String message) {}

        @Override
        public void info(String message) {}

        @Override
        public void warn(String message) {
            System.err.println("[jdeb] " + message);
        }
    }
}
