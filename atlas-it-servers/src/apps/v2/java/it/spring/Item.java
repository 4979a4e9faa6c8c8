package it.spring;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A JPA entity; {@code getReferenceById} hands out Hibernate's lazy (Byte Buddy) proxy of it. */
@Entity
public class Item {
    @Id
    private Long id;
    private String name;

    protected Item() {
    }

    public Item(Long id, String name) {
        this.id = id;
        this.name = name;
    }

    public String tag() {
        return name.isEmpty() ? "?" : Version.tag();
    }

    /** New in v2: reads an existing field; called on Hibernate's proxy, it must run on the loaded entity. */
    public String label() {
        return name + ":" + name.length();
    }
}
