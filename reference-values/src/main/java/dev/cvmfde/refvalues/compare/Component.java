package dev.cvmfde.refvalues.compare;

/** A boot component listed in hash.json. */
public enum Component {
    GRUB("grub"), GRUB_CFG("grub.cfg"), KERNEL("kernel"), INITRAMFS("initramfs");

    private final String jsonName;

    Component(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The hash.json field name. */
    public String jsonName() {
        return jsonName;
    }
}
