package dev.atlas.spaces.format;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.zip.CRC32C;

import dev.atlas.spaces.sync.RobustLock;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The header of a space: the first {@link #BYTES} bytes of its file, mapped by every
 * attacher together with the segment that follows it. Magic and format version, the
 * space's {@link RobustLock}, the table of attached processes, and two metadata slots.
 *
 * <h2>The space file (format version {@value #VERSION})</h2>
 * One file per space, {@code NAME.space}: this header at offset 0 (a fixed part of 4 KiB,
 * then the two metadata slots of 4 KiB each), then the main segment at offset
 * {@link #SEGMENT_OFFSET} to the end of the file. The segment's base address, as the
 * metadata records it, is where its first byte is mapped; the header is mapped right below
 * it, so one mapping of the whole file at {@code base - SEGMENT_OFFSET} maps both (see
 * {@link #mappingAddress}). Format version 1 kept the header alone in {@code NAME.space} and
 * the segment in a second file; this code refuses it, naming both versions.
 *
 * <h2>Crash consistency</h2>
 * The metadata is written copy-on-write into two slots, each with a sequence number and a
 * CRC32C of its bytes: an update (under the lock) writes the slot <em>not</em> holding the
 * newest valid version, then its CRC, then its sequence number. A reader takes the valid
 * slot with the highest sequence. A process dying mid-update leaves that slot invalid (bad
 * CRC or old sequence) and the other slot intact: the space reads as before the update. The
 * magic is written last at creation, so a header without it is a creation that never
 * finished: {@code creatorPid} says by whom, and the next opener removes the file once that
 * process is dead.
 *
 * <p>Threading contract: any thread; {@link #update} only under the space's lock.
 */
public final class SpaceHeader {
    public static final long MAGIC = 0x4154_4C41_5353_5043L;   // "ATLASSPC"
    public static final int VERSION = 2;
    public static final int MAX_ATTACHED = 64;
    static final long SLOT_BYTES = 4096;

    public static final StructLayout FIXED = MemoryLayout.structLayout(
            JAVA_LONG.withName("magic"),
            JAVA_INT.withName("version"),
            JAVA_INT.withName("pad"),
            JAVA_LONG.withName("creatorPid"),
            RobustLock.LAYOUT.withName("lock"),
            MemoryLayout.sequenceLayout(MAX_ATTACHED, JAVA_LONG).withName("attached"));

    static final StructLayout SLOT = MemoryLayout.structLayout(
            JAVA_LONG.withName("seq"),
            JAVA_INT.withName("length"),
            JAVA_INT.withName("crc"),
            MemoryLayout.sequenceLayout(SLOT_BYTES - 16, JAVA_BYTE).withName("payload"));

    /** Size of the header: the fixed part and the two metadata slots. */
    public static final long BYTES = 4096 + 2 * SLOT_BYTES;
    /** Where the main segment starts in the space file: right after the header, page-aligned. */
    public static final long SEGMENT_OFFSET = BYTES;

    /*
     * Fields are read and written through the two plain value-layout var handles at offsets
     * taken from the layouts, not through layout-path var handles: each path handle is an
     * adapted handle whose lambda forms a fresh JVM must spin, which showed in the time a
     * fresh JVM takes to attach a space.
     */
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long MAGIC_OFF = FIXED.byteOffset(groupElement("magic"));
    private static final long VERSION_OFF = FIXED.byteOffset(groupElement("version"));
    private static final long CREATOR_OFF = FIXED.byteOffset(groupElement("creatorPid"));
    private static final long SEQ_OFF = SLOT.byteOffset(groupElement("seq"));
    private static final long LEN_OFF = SLOT.byteOffset(groupElement("length"));
    private static final long CRC_OFF = SLOT.byteOffset(groupElement("crc"));
    private static final long LOCK_OFF = FIXED.byteOffset(groupElement("lock"));
    private static final long ATTACHED_OFF = FIXED.byteOffset(groupElement("attached"));
    private static final long PAYLOAD_OFF = SLOT.byteOffset(groupElement("payload"));
    private static final long MAX_PAYLOAD = SLOT_BYTES - PAYLOAD_OFF;

    private final MemorySegment file;

    public SpaceHeader(MemorySegment file) {
        if (file.byteSize() < BYTES) {
            throw new IllegalArgumentException("header memory is " + file.byteSize() + " bytes, expected " + BYTES);
        }
        this.file = file;
    }

    public long magic() { return (long) LONG.getVolatile(file, MAGIC_OFF); }

    public int version() { return (int) INT.getVolatile(file, VERSION_OFF); }

    public long creatorPid() { return (long) LONG.getVolatile(file, CREATOR_OFF); }

    public void setCreatorPid(long pid) { LONG.setVolatile(file, CREATOR_OFF, pid); }

    /** Writes version then magic: the last step of creating a space. */
    public void seal() {
        writeVersion();
        LONG.setVolatile(file, MAGIC_OFF, MAGIC);
    }

    /**
     * Writes the version alone: in an image of a new header that its creator writes to the
     * file before writing {@link #MAGIC} at {@link #magicOffset()} as the last step.
     */
    public void writeVersion() {
        INT.setVolatile(file, VERSION_OFF, VERSION);
    }

    /** Where in the file the magic is. */
    public static long magicOffset() {
        return MAGIC_OFF;
    }

    /** The size of the file of a space whose main segment has {@code segmentSize} bytes. */
    public static long fileSize(long segmentSize) {
        return SEGMENT_OFFSET + segmentSize;
    }

    /** Where the file is mapped so that its main segment starts at {@code segmentBase}. */
    public static long mappingAddress(long segmentBase) {
        return segmentBase - SEGMENT_OFFSET;
    }

    /** The memory of the space's lock. */
    public MemorySegment lockMemory() {
        return file.asSlice(LOCK_OFF, RobustLock.LAYOUT.byteSize());
    }

    /**
     * The attached-process table: {@link #MAX_ATTACHED} longs, each a free slot or the pid of
     * an attached process. A slot is free when it holds 0, or a pid whose top byte was set to
     * {@code 0xFF} when its process detached (a negative value; see {@link #detachMarkOffset}),
     * or the pid of a process that is dead.
     */
    public MemorySegment attachedTable() {
        return file.asSlice(ATTACHED_OFF, MAX_ATTACHED * 8L);
    }

    /** True if attached-table entry {@code entry} names a process (a pid), false for a free or left slot. */
    public static boolean namesProcess(long entry) {
        return entry > 0;
    }

    /**
     * Where in the file the top byte of attached-table slot {@code slot} is. A process that
     * leaves the slot writes {@link #DETACH_MARK} there with one {@code pwrite} of one byte:
     * no access to its mapping (whose first touch costs more than the call in a process that
     * never used the header), and a one-byte store cannot tear, so another process that
     * takes the slot by CAS meanwhile never has part of its pid overwritten.
     */
    public static long detachMarkOffset(int slot) {
        if (slot < 0 || slot >= MAX_ATTACHED) {
            throw new IllegalArgumentException("attached-table slot " + slot + ", expected 0 to " + (MAX_ATTACHED - 1));
        }
        long top = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? 7 : 0;
        return ATTACHED_OFF + slot * 8L + top;
    }

    /** The byte {@link #detachMarkOffset} receives: the slot's entry becomes negative, a free slot. */
    public static final byte DETACH_MARK = (byte) 0xFF;

    /**
     * The newest valid metadata.
     *
     * @throws IllegalStateException if neither slot holds a valid version (the header is damaged)
     */
    public SpaceMetadata read() {
        for (int attempt = 0; ; attempt++) {
            long s0 = seq(0), s1 = seq(1);
            int first = s0 >= s1 ? 0 : 1;
            SpaceMetadata m = readSlot(first);
            if (m == null) m = readSlot(1 - first);
            if (m != null) return m;
            if (attempt >= 3) {
                throw new IllegalStateException("space header damaged: neither metadata slot holds a valid version (checksum, or a segment"
                        + " or root that cannot be)"
                        + " (sequences " + s0 + ", " + s1 + ")");
            }
        }
    }

    /**
     * Writes the header of a new space into {@code zeroedImage}: memory private to the
     * creator that is still zero (written to the file with {@code pwrite} later): creator pid,
     * version, {@code m} as metadata version 1 in the second slot (as {@link #update} writes
     * it into a zeroed header), and {@code attachedPid} in
     * the first slot of the attached table; no magic. Plain stores and no read of the other
     * slot: what {@link #update} does for a header that others may be reading is not needed
     * for an image nobody sees yet, and create runs this between two system calls.
     */
    public static void formatImage(MemorySegment zeroedImage, SpaceMetadata m, long creatorPid, long attachedPid) {
        byte[] payload = m.encode();
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("space metadata of " + payload.length + " bytes exceeds the header's "
                    + MAX_PAYLOAD + "-byte slot (too many or too long root names)");
        }
        if (zeroedImage.byteSize() < BYTES) {
            throw new IllegalArgumentException("header image is " + zeroedImage.byteSize() + " bytes, expected " + BYTES);
        }
        zeroedImage.set(JAVA_LONG, CREATOR_OFF, creatorPid);
        zeroedImage.set(JAVA_INT, VERSION_OFF, VERSION);
        zeroedImage.set(JAVA_LONG, ATTACHED_OFF, attachedPid);
        long slot = 4096 + SLOT_BYTES;   // slot 1, where update() puts the first version (the two slots tie at 0)
        MemorySegment.copy(payload, 0, zeroedImage, JAVA_BYTE, slot + PAYLOAD_OFF, payload.length);
        zeroedImage.set(JAVA_INT, slot + LEN_OFF, payload.length);
        zeroedImage.set(JAVA_INT, slot + CRC_OFF, crc(payload, 1));
        zeroedImage.set(JAVA_LONG, slot + SEQ_OFF, 1L);
    }

    /** Writes {@code m} as the new version, crash-consistently (see the class comment). Under the lock. */
    public void update(SpaceMetadata m) {
        byte[] payload = m.encode();
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("space metadata of " + payload.length + " bytes exceeds the header's "
                    + MAX_PAYLOAD + "-byte slot (too many or too long root names)");
        }
        long s0 = validSeq(0), s1 = validSeq(1);
        int target = s0 >= s1 ? 1 : 0;
        long next = Math.max(s0, s1) + 1;
        MemorySegment slot = slot(target);
        LONG.setVolatile(slot, SEQ_OFF, 0L);                         // invalid while written
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, slot, PAYLOAD_OFF, payload.length);
        INT.setVolatile(slot, LEN_OFF, payload.length);
        INT.setVolatile(slot, CRC_OFF, crc(payload, next));
        LONG.setVolatile(slot, SEQ_OFF, next);                       // publish
    }

    private long seq(int i) { return (long) LONG.getVolatile(slot(i), SEQ_OFF); }

    private long validSeq(int i) { return readSlot(i) == null ? 0 : seq(i); }

    private SpaceMetadata readSlot(int i) {
        MemorySegment slot = slot(i);
        long seq = (long) LONG.getVolatile(slot, SEQ_OFF);
        int len = (int) INT.getVolatile(slot, LEN_OFF);
        int crc = (int) INT.getVolatile(slot, CRC_OFF);
        if (seq <= 0 || len <= 0 || len > MAX_PAYLOAD) return null;
        byte[] payload = slot.asSlice(PAYLOAD_OFF, len).toArray(ValueLayout.JAVA_BYTE);
        if (crc(payload, seq) != crc || (long) LONG.getVolatile(slot, SEQ_OFF) != seq) return null;
        try {
            return SpaceMetadata.decode(payload);
        } catch (IOException e) {
            return null;
        }
    }

    private MemorySegment slot(int i) {
        return file.asSlice(4096 + i * SLOT_BYTES, SLOT_BYTES);
    }

    private static int crc(byte[] payload, long seq) {
        CRC32C c = new CRC32C();
        c.update(payload);
        for (int i = 0; i < 8; i++) c.update((int) (seq >>> (8 * i)));
        return (int) c.getValue();
    }
}
