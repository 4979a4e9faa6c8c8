package it.spring;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
@Transactional(readOnly = true)
public class JpaLedger implements Ledger {
    private final ItemRepository items;

    public JpaLedger(ItemRepository items) {
        this.items = items;
    }

    @Override
    public String tag(long id) {
        return items.getReferenceById(id).tag();
    }

    @Override
    public String detail(long id) {
        Item ref = items.getReferenceById(id);   // Hibernate's lazy proxy
        return "item=" + ref.label() + " tx="
                + org.springframework.transaction.support.TransactionSynchronizationManager.isActualTransactionActive();
    }
}
