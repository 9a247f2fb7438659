package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.agent.scan.OperatingSystem;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /etc/os-release} of every distribution and version Patchtide patches (written out as those releases ship
 * them) to Systems Manager's OperatingSystem and PRODUCT.
 */
class OperatingSystemDetectionTest {

    record Case(String os, String product, String osRelease) {}

    static List<Case> releases() {
        return List.of(
                new Case(
                        "AMAZON_LINUX_2",
                        "AmazonLinux2",
                        """
                        NAME="Amazon Linux"
                        VERSION="2"
                        ID="amzn"
                        ID_LIKE="centos rhel fedora"
                        VERSION_ID="2"
                        PRETTY_NAME="Amazon Linux 2"
                        ANSI_COLOR="0;33"
                        CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
                        HOME_URL="https://amazonlinux.com/"
                        """),
                new Case(
                        "AMAZON_LINUX_2023",
                        "AmazonLinux2023",
                        """
                        NAME="Amazon Linux"
                        VERSION="2023"
                        ID="amzn"
                        ID_LIKE="fedora"
                        VERSION_ID="2023"
                        PLATFORM_ID="platform:al2023"
                        PRETTY_NAME="Amazon Linux 2023.6.20241212"
                        ANSI_COLOR="0;33"
                        CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2023"
                        """),
                new Case(
                        "REDHAT_ENTERPRISE_LINUX",
                        "RedhatEnterpriseLinux7.9",
                        """
                        NAME="Red Hat Enterprise Linux Server"
                        VERSION="7.9 (Maipo)"
                        ID="rhel"
                        ID_LIKE="fedora"
                        VARIANT="Server"
                        VARIANT_ID="server"
                        VERSION_ID="7.9"
                        PRETTY_NAME="Red Hat Enterprise Linux Server 7.9 (Maipo)"
                        CPE_NAME="cpe:/o:redhat:enterprise_linux:7.9:GA:server"
                        """),
                new Case(
                        "REDHAT_ENTERPRISE_LINUX",
                        "RedhatEnterpriseLinux8.10",
                        """
                        NAME="Red Hat Enterprise Linux"
                        VERSION="8.10 (Ootpa)"
                        ID="rhel"
                        ID_LIKE="fedora"
                        VERSION_ID="8.10"
                        PLATFORM_ID="platform:el8"
                        PRETTY_NAME="Red Hat Enterprise Linux 8.10 (Ootpa)"
                        """),
                new Case(
                        "REDHAT_ENTERPRISE_LINUX",
                        "RedhatEnterpriseLinux9.4",
                        """
                        NAME="Red Hat Enterprise Linux"
                        VERSION="9.4 (Plow)"
                        ID="rhel"
                        ID_LIKE="fedora"
                        VERSION_ID="9.4"
                        PLATFORM_ID="platform:el9"
                        PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
                        """),
                new Case(
                        "ROCKY_LINUX",
                        "RockyLinux9.4",
                        """
                        NAME="Rocky Linux"
                        VERSION="9.4 (Blue Onyx)"
                        ID="rocky"
                        ID_LIKE="rhel centos fedora"
                        VERSION_ID="9.4"
                        PLATFORM_ID="platform:el9"
                        PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
                        """),
                new Case(
                        "ALMA_LINUX",
                        "AlmaLinux8.9",
                        """
                        NAME="AlmaLinux"
                        VERSION="8.9 (Midnight Oncilla)"
                        ID="almalinux"
                        ID_LIKE="rhel centos fedora"
                        VERSION_ID="8.9"
                        PLATFORM_ID="platform:el8"
                        PRETTY_NAME="AlmaLinux 8.9 (Midnight Oncilla)"
                        """),
                new Case(
                        "ORACLE_LINUX",
                        "OracleLinux9.3",
                        """
                        NAME="Oracle Linux Server"
                        VERSION="9.3"
                        ID="ol"
                        ID_LIKE="fedora"
                        VARIANT="Server"
                        VARIANT_ID="server"
                        VERSION_ID="9.3"
                        PLATFORM_ID="platform:el9"
                        PRETTY_NAME="Oracle Linux Server 9.3"
                        """),
                new Case(
                        "CENTOS",
                        "CentOSStream9",
                        """
                        NAME="CentOS Stream"
                        VERSION="9"
                        ID="centos"
                        ID_LIKE="rhel fedora"
                        VERSION_ID="9"
                        PLATFORM_ID="platform:el9"
                        PRETTY_NAME="CentOS Stream 9"
                        """),
                new Case(
                        "CENTOS",
                        "CentOS7",
                        """
                        NAME="CentOS Linux"
                        VERSION="7 (Core)"
                        ID="centos"
                        ID_LIKE="rhel fedora"
                        VERSION_ID="7"
                        PRETTY_NAME="CentOS Linux 7 (Core)"
                        """),
                new Case(
                        "SUSE",
                        "Suse12.5",
                        """
                        NAME="SLES"
                        VERSION="12-SP5"
                        VERSION_ID="12.5"
                        PRETTY_NAME="SUSE Linux Enterprise Server 12 SP5"
                        ID="sles"
                        ANSI_COLOR="0;32"
                        CPE_NAME="cpe:/o:suse:sles:12:sp5"
                        """),
                new Case(
                        "SUSE",
                        "Suse15.5",
                        """
                        NAME="SLES"
                        VERSION="15-SP5"
                        VERSION_ID="15.5"
                        PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"
                        ID="sles"
                        ID_LIKE="suse"
                        ANSI_COLOR="0;32"
                        CPE_NAME="cpe:/o:suse:sles:15:sp5"
                        DOCUMENTATION_URL="https://documentation.suse.com/"
                        """),
                new Case(
                        "SUSE",
                        "Suse15.5",
                        """
                        NAME="SLES_SAP"
                        VERSION="15-SP5"
                        VERSION_ID="15.5"
                        PRETTY_NAME="SUSE Linux Enterprise Server for SAP Applications 15 SP5"
                        ID="sles_sap"
                        ID_LIKE="suse"
                        """),
                new Case(
                        "SUSE",
                        "OpenSUSELeap15.6",
                        """
                        NAME="openSUSE Leap"
                        VERSION="15.6"
                        ID="opensuse-leap"
                        ID_LIKE="suse opensuse"
                        VERSION_ID="15.6"
                        PRETTY_NAME="openSUSE Leap 15.6"
                        CPE_NAME="cpe:/o:opensuse:leap:15.6"
                        """),
                new Case(
                        "SUSE",
                        "OpenSUSETumbleweed",
                        """
                        NAME="openSUSE Tumbleweed"
                        # VERSION="20241201"
                        ID="opensuse-tumbleweed"
                        ID_LIKE="opensuse suse"
                        VERSION_ID="20241201"
                        PRETTY_NAME="openSUSE Tumbleweed"
                        """),
                new Case(
                        "DEBIAN",
                        "Debian12",
                        """
                        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
                        NAME="Debian GNU/Linux"
                        VERSION_ID="12"
                        VERSION="12 (bookworm)"
                        VERSION_CODENAME=bookworm
                        ID=debian
                        """),
                new Case(
                        "UBUNTU",
                        "Ubuntu22.04",
                        """
                        PRETTY_NAME="Ubuntu 22.04.4 LTS"
                        NAME="Ubuntu"
                        VERSION_ID="22.04"
                        VERSION="22.04.4 LTS (Jammy Jellyfish)"
                        VERSION_CODENAME=jammy
                        ID=ubuntu
                        ID_LIKE=debian
                        UBUNTU_CODENAME=jammy
                        """));
    }

    @ParameterizedTest
    @MethodSource("releases")
    void osReleaseToSystemsManagersNames(Case c) {
        OperatingSystem os = OperatingSystem.detect(
                HostFacts.parseOsRelease(c.osRelease().lines().toList()));

        assertThat(os).isEqualTo(new OperatingSystem(c.os(), c.product()));
    }

    @Test
    void anUnsupportedDistributionIsRefusedByName() {
        var fedora = HostFacts.parseOsRelease(List.of("NAME=\"Fedora Linux\"", "ID=fedora", "VERSION_ID=41"));

        assertThatThrownBy(() -> OperatingSystem.detect(fedora))
                .isInstanceOf(OperatingSystem.Unsupported.class)
                .hasMessageContaining("'fedora'")
                .hasMessageContaining("'41'");
        assertThatThrownBy(() -> OperatingSystem.detect(HostFacts.parseOsRelease(List.of("ID=amzn", "VERSION_ID=3"))))
                .hasMessageContaining("Amazon Linux VERSION_ID '3'");
    }
}
