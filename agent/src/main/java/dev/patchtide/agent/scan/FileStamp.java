package dev.patchtide.agent.scan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What tells, without reading a file, that its content is the one parsed before: apt, dpkg and dnf replace
 * their files by renaming a new one over them (a new inode) or rewrite them (a new size or modification
 * time), so while all three are unchanged the agent reuses what it parsed instead of reading again.
 */
public record FileStamp(long size, FileTime modified, Object fileKey) {
    public static FileStamp of(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileStamp(a.size(), a.lastModifiedTime(), a.fileKey());
    }
}
