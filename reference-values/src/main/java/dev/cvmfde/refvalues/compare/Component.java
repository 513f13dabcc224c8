package dev.cvmfde.refvalues.compare;

/** A boot component listed in hash.json ({@link #SHIM} only in a baseline of a boot through shim). */
public enum Component {
    SHIM("shim"), GRUB("grub"), GRUB_CFG("grub.cfg"), KERNEL("kernel"), INITRAMFS("initramfs");

    private final String jsonName;

    Component(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The hash.json field name. */
    public String jsonName() {
        return jsonName;
    }
}
