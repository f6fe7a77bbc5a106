"""Protocol handlers for accounts, calls, messages and presence, over the telephony service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from rolecall.daemon.dispatch import Caller, Handler
from rolecall.protocol import telephony as tel
from rolecall.protocol.context import PageSnapshot
from rolecall.protocol.methods import Empty
from rolecall.protocol.page import PageRecord
from rolecall.telephony.service import TelephonyService

PageHook = Callable[[tel.CallInfo, PageRecord | None, PageSnapshot | None], None]
"""Hears of the page a call was placed from (with `call.place`, or `call.page` after it)."""


def telephony_handlers(
    service: TelephonyService, on_page: PageHook = lambda call, record, snapshot: None
) -> dict[str, Handler]:
    """Handlers bound to one telephony service; `on_page` hears of each call placed and
    of the page it was placed from."""
    accounts, calls = service.accounts, service.calls

    async def account_set(caller: Caller, params: tel.AccountSetParams) -> tel.AccountResult:
        return tel.AccountResult(
            account=await accounts.set_account(params.account, params.password)
        )

    async def account_list(caller: Caller, params: Empty) -> tel.AccountsResult:
        return tel.AccountsResult(accounts=accounts.account_list())

    async def account_remove(caller: Caller, params: tel.AccountRef) -> Empty:
        await accounts.remove_account(params.account_id)
        return Empty()

    async def place(caller: Caller, params: tel.PlaceCallParams) -> tel.CallResult:
        call = await calls.place(
            params.target,
            params.account_id,
            params.region,
            params.record,
            placed=lambda info: on_page(info, params.record, params.snapshot),
        )
        return tel.CallResult(call=call)

    async def page(caller: Caller, params: tel.CallPageParams) -> tel.CallResult:
        call = calls.attach_page(
            params.call_id,
            params.record,
            placed=lambda info: on_page(info, params.record, params.snapshot),
        )
        return tel.CallResult(call=call)

    async def answer(caller: Caller, params: tel.CallRef) -> tel.CallResult:
        return tel.CallResult(call=await calls.answer(params.call_id))

    async def hangup(caller: Caller, params: tel.CallRef) -> tel.CallResult:
        return tel.CallResult(call=await calls.hangup(params.call_id))

    async def hold(caller: Caller, params: tel.CallRef) -> tel.CallResult:
        return tel.CallResult(call=await calls.hold(params.call_id))

    async def resume(caller: Caller, params: tel.CallRef) -> tel.CallResult:
        return tel.CallResult(call=await calls.resume(params.call_id))

    async def mute(caller: Caller, params: tel.CallRef) -> tel.CallResult:
        return tel.CallResult(call=await calls.set_muted(params.call_id, True))

    async def unmute(caller: Caller, params: tel.CallRef) -> tel.CallResult:
        return tel.CallResult(call=await calls.set_muted(params.call_id, False))

    async def decline(caller: Caller, params: tel.DeclineParams) -> tel.CallResult:
        return tel.CallResult(call=await calls.decline(params.call_id, params.code))

    async def dtmf(caller: Caller, params: tel.DtmfParams) -> tel.CallResult:
        return tel.CallResult(
            call=await calls.send_dtmf(params.call_id, params.digits.upper(), params.method)
        )

    async def transfer(caller: Caller, params: tel.TransferParams) -> tel.CallResult:
        return tel.CallResult(call=await calls.transfer(params.call_id, params.target))

    async def transfer_attended(
        caller: Caller, params: tel.AttendedTransferParams
    ) -> tel.CallResult:
        return tel.CallResult(
            call=await calls.transfer_attended(params.call_id, params.consult_call_id)
        )

    async def transfer_accept(caller: Caller, params: tel.TransferRequestRef) -> tel.CallResult:
        return tel.CallResult(call=await calls.offers.accept(params.request_id))

    async def transfer_decline(caller: Caller, params: tel.TransferRequestRef) -> Empty:
        calls.offers.decline(params.request_id)
        return Empty()

    async def transfer_offers(caller: Caller, params: Empty) -> tel.TransferOffersResult:
        return tel.TransferOffersResult.model_validate({"offers": calls.offers.listed()})

    async def add_participant(caller: Caller, params: tel.AddParticipantParams) -> tel.CallResult:
        return tel.CallResult(call=await calls.add_participant(params.call_id, params.target))

    async def message(caller: Caller, params: tel.CallMessageParams) -> tel.CallResult:
        return tel.CallResult(call=await calls.send_message(params.call_id, params.text))

    async def record(caller: Caller, params: tel.RecordParams) -> tel.CallResult:
        return tel.CallResult(call=await calls.set_recording(params.call_id, params.on))

    async def calls_list(caller: Caller, params: Empty) -> tel.CallsResult:
        return tel.CallsResult(calls=calls.call_list())

    async def message_send(caller: Caller, params: tel.MessageSendParams) -> tel.MessageSendResult:
        return tel.MessageSendResult(
            message_id=await service.send_message(params.to, params.text, params.account_id)
        )

    async def subscribe(caller: Caller, params: tel.PresenceSubscribeParams) -> Empty:
        await service.subscribe_presence(params.account_id, params.uri)
        return Empty()

    async def unsubscribe(caller: Caller, params: tel.PresenceSubscribeParams) -> Empty:
        await service.unsubscribe_presence(params.account_id, params.uri)
        return Empty()

    async def presence_set(caller: Caller, params: tel.PresenceSetParams) -> Empty:
        await service.set_presence(params.account_id, params.status, params.note)
        return Empty()

    handlers: dict[str, Any] = {
        "account.set": account_set,
        "account.list": account_list,
        "account.remove": account_remove,
        "call.place": place,
        "call.page": page,
        "call.answer": answer,
        "call.hangup": hangup,
        "call.hold": hold,
        "call.resume": resume,
        "call.mute": mute,
        "call.unmute": unmute,
        "call.decline": decline,
        "call.dtmf": dtmf,
        "call.transfer": transfer,
        "call.transfer_attended": transfer_attended,
        "call.transfer_accept": transfer_accept,
        "call.transfer_decline": transfer_decline,
        "calls.transfer_offers": transfer_offers,
        "call.add_participant": add_participant,
        "call.message": message,
        "call.record": record,
        "calls.list": calls_list,
        "message.send": message_send,
        "presence.subscribe": subscribe,
        "presence.unsubscribe": unsubscribe,
        "presence.set": presence_set,
    }
    return {
        method: handler if method == "calls.list" else _after_start(service, handler)
        for method, handler in handlers.items()
    }


def _after_start(service: TelephonyService, handler: Handler) -> Handler:
    """`handler`, run once the service has loaded the saved accounts."""

    async def run(caller: Caller, params: Any) -> BaseModel:
        await service.ready()
        return await handler(caller, params)

    return run
